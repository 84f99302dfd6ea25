package ai.refinery.rephrasing;

import java.io.Serializable;
import java.time.LocalDate;

/**
 * Person number i of a seeded population, computed from (seed, i) alone: the name comes from a seeded
 * bijection over every first x middle x last combination (so names are unique), each attribute from its own
 * hash of (seed, i, attribute).
 */
public final class PersonGenerator implements Serializable {
    private static final long PURPOSE_NAME = 0x4E414D45L;
    private static final long PURPOSE_ATTRIBUTE = 0x41545452L;

    private final long seed;
    private final Pools pools;
    private final FeistelPermutation names;

    public PersonGenerator(long seed, Pools pools) {
        this.seed = seed;
        this.pools = pools;
        this.names = new FeistelPermutation(pools.nameSpace(), Hashing.hash(seed, PURPOSE_NAME));
    }

    /** The most people one seed can hold: every one gets a distinct full name. */
    public long capacity() {
        return names.size();
    }

    public Person person(long index) {
        long nameIndex = names.apply(index);
        int lastCount = pools.lastNames().size();
        int middleCount = pools.middleNames().size();
        int last = (int) (nameIndex % lastCount);
        long rest = nameIndex / lastCount;
        int middle = (int) (rest % middleCount);
        int first = (int) (rest / middleCount);

        int date = draw(index, Attribute.BIRTH_DATE, Pools.dateSpace());
        int day = date % Pools.DAYS + 1;
        int month = (date / Pools.DAYS) % Pools.MONTHS + 1;
        int year = Pools.FIRST_YEAR + date / (Pools.DAYS * Pools.MONTHS);
        int employer = draw(index, Attribute.EMPLOYER, pools.employers().size());
        return new Person(Person.idOf(index), pools.firstNames().get(first), pools.middleNames().get(middle),
                pools.lastNames().get(last), pools.genderOfFirstName(first), LocalDate.of(year, month, day),
                pools.birthCities().get(draw(index, Attribute.BIRTH_CITY, pools.birthCities().size())),
                pools.universities().get(draw(index, Attribute.UNIVERSITY, pools.universities().size())),
                pools.majors().get(draw(index, Attribute.MAJOR, pools.majors().size())),
                pools.employers().get(employer), pools.employerCities().get(employer));
    }

    private int draw(long index, Attribute attribute, int n) {
        return Hashing.below(Hashing.hash(seed, index, PURPOSE_ATTRIBUTE, attribute.ordinal()), n);
    }
}
