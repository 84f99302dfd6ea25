package ai.refinery.rephrasing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The value pools of the synthetic knowledge source, read from classpath resources under refinery/bios/.
 * Sizes follow Physics of Language Models 3.1 (bioS): 400 first x 400 middle x 1,000 last names, 200 birth
 * cities, 300 universities, 100 majors, 263 employers each with its city.
 */
public final class Pools implements Serializable {
    public static final String RESOURCE_DIR = "refinery/bios/";
    public static final int FIRST_YEAR = 1900;
    public static final int YEARS = 200;
    public static final int MONTHS = 12;
    public static final int DAYS = 28;

    private static volatile Pools standard;

    private final List<String> firstNames;
    private final List<Gender> firstNameGenders;
    private final List<String> middleNames;
    private final List<String> lastNames;
    private final List<String> birthCities;
    private final List<String> universities;
    private final List<String> majors;
    private final List<String> employers;
    private final List<String> employerCities;

    private Pools(List<String> firstNames, List<Gender> firstNameGenders, List<String> middleNames,
                  List<String> lastNames, List<String> birthCities, List<String> universities, List<String> majors,
                  List<String> employers, List<String> employerCities) {
        this.firstNames = List.copyOf(firstNames);
        this.firstNameGenders = List.copyOf(firstNameGenders);
        this.middleNames = List.copyOf(middleNames);
        this.lastNames = List.copyOf(lastNames);
        this.birthCities = List.copyOf(birthCities);
        this.universities = List.copyOf(universities);
        this.majors = List.copyOf(majors);
        this.employers = List.copyOf(employers);
        this.employerCities = List.copyOf(employerCities);
    }

    /** The pools shipped in the jar, loaded once per JVM (executors load their own copy). */
    public static Pools standard() {
        Pools p = standard;
        if (p == null) {
            synchronized (Pools.class) {
                p = standard;
                if (p == null) {
                    p = load(Pools.class.getClassLoader());
                    standard = p;
                }
            }
        }
        return p;
    }

    static Pools load(ClassLoader loader) {
        List<String> firstNames = new ArrayList<>();
        List<Gender> genders = new ArrayList<>();
        for (String[] f : fields(loader, "first_names.tsv", 2)) {
            Gender g = Gender.fromKey(f[1]);
            if (g == null) {
                throw new IllegalStateException(RESOURCE_DIR + "first_names.tsv: bad gender '" + f[1] + "'");
            }
            firstNames.add(f[0]);
            genders.add(g);
        }
        List<String> employers = new ArrayList<>();
        List<String> employerCities = new ArrayList<>();
        for (String[] f : fields(loader, "employers.tsv", 2)) {
            employers.add(f[0]);
            employerCities.add(f[1]);
        }
        Pools pools = new Pools(firstNames, genders, lines(loader, "middle_names.txt"), lines(loader, "last_names.txt"),
                lines(loader, "birth_cities.txt"), lines(loader, "universities.txt"), lines(loader, "majors.txt"),
                employers, employerCities);
        pools.checkDistinct();
        return pools;
    }

    private void checkDistinct() {
        // Names must be unique across the three name pools too, so a full name parses back unambiguously.
        Set<String> names = new HashSet<>();
        for (List<String> pool : List.of(firstNames, middleNames, lastNames)) {
            for (String n : pool) {
                if (!names.add(n)) {
                    throw new IllegalStateException("duplicate name in the pools: " + n);
                }
            }
        }
        for (List<String> pool : List.of(birthCities, universities, majors, employers)) {
            if (new HashSet<>(pool).size() != pool.size()) {
                throw new IllegalStateException("duplicate value in a pool: " + pool.get(0) + " ...");
            }
        }
    }

    static List<String> lines(ClassLoader loader, String name) {
        List<String> out = new ArrayList<>();
        try (InputStream in = loader.getResourceAsStream(RESOURCE_DIR + name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + RESOURCE_DIR + name);
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = reader.readLine()) != null) {
                String trimmed = line.strip();
                if (!trimmed.isEmpty() && !trimmed.startsWith("#")) {
                    out.add(trimmed);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(RESOURCE_DIR + name, e);
        }
        return out;
    }

    private static List<String[]> fields(ClassLoader loader, String name, int count) {
        List<String[]> out = new ArrayList<>();
        for (String line : lines(loader, name)) {
            String[] f = line.split("\t");
            if (f.length != count) {
                throw new IllegalStateException(RESOURCE_DIR + name + ": expected " + count + " tab-separated fields: " + line);
            }
            for (int i = 0; i < f.length; i++) {
                f[i] = f[i].strip();
            }
            out.add(f);
        }
        return out;
    }

    /** How many distinct full names exist: first x middle x last. */
    public long nameSpace() {
        return (long) firstNames.size() * middleNames.size() * lastNames.size();
    }

    public List<String> firstNames() {
        return firstNames;
    }

    public Gender genderOfFirstName(int index) {
        return firstNameGenders.get(index);
    }

    public List<String> middleNames() {
        return middleNames;
    }

    public List<String> lastNames() {
        return lastNames;
    }

    public List<String> birthCities() {
        return birthCities;
    }

    public List<String> universities() {
        return universities;
    }

    public List<String> majors() {
        return majors;
    }

    public List<String> employers() {
        return employers;
    }

    /** The city of employer i: it follows from the employer, as in bioS. */
    public List<String> employerCities() {
        return employerCities;
    }

    /** Number of distinct birth dates: 200 years x 12 months x 28 days. */
    public static int dateSpace() {
        return YEARS * MONTHS * DAYS;
    }
}
