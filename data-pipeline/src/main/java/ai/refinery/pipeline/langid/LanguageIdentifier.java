package ai.refinery.pipeline.langid;

import com.github.pemistahl.lingua.api.IsoCode639_1;
import com.github.pemistahl.lingua.api.Language;
import com.github.pemistahl.lingua.api.LanguageDetector;
import com.github.pemistahl.lingua.api.LanguageDetectorBuilder;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Language identification with Lingua 1.2.2 (n-gram models for 75 languages, no network, no native code).
 *
 * <h2>The score</h2>
 * Lingua 1.2.2's {@code computeLanguageConfidenceValues} does not return probabilities. For each candidate
 * language j it sums the log-probabilities of the text's n-grams, L_j (negative), and returns
 * r_j = L_top / L_j: the most likely language always gets 1.0 and the others how much smaller their
 * likelihood is, relatively (its own javadoc: "a relative confidence metric, not an absolute one"). The values
 * do not sum to 1: a clean English paragraph typically gets en 1.0, tl 0.77, fr 0.77, la 0.75 and some 45
 * more above 0.5. A threshold of 0.65 on the top value would keep everything.
 * <p>
 * We turn them into a distribution. d_j = 1/r_j - 1 = (L_top - L_j) / |L_top| is how much more surprising the
 * text is, per n-gram on average, under language j than under the top language; it does not grow with the
 * length of the text. The score is a softmax over the candidates, p_j = exp(-k d_j) / sum_i exp(-k d_i), with
 * the sharpness k = {@value #SHARPNESS}, and the document's score is p_top. Like fastText's softmax over
 * averaged n-gram features (the classifier behind RefinedWeb's "top-language score >= 0.65" rule), it is
 * near 1 for clean monolingual prose, falls towards 0.5 when two languages explain the text equally well
 * (mixed-language pages, near-identical languages such as bs/hr or id/ms) and is lower for very short text.
 * Later Lingua releases (1.3+ of the Python port) apply a softmax to the raw sums L_j instead; that value is
 * 1.0 for almost any text longer than a sentence, which would make the threshold meaningless.
 * k = 20 was chosen on the labelled test texts: with it, at least 94% of clean paragraphs of 60 characters
 * or more in each Tika test language score >= 0.65, and most 50/50 mixtures of two Latin-script languages
 * score below it (LanguageIdentifierAccuracyTest prints these figures).
 * <p>
 * When Lingua decides by script rules alone (Greek, Thai, kana, hangul, or a single candidate left) it
 * returns just one language with 1.0, so the score is 1.0. Restricting the candidate languages raises scores,
 * since fewer languages compete.
 *
 * <h2>Undetermined</h2>
 * Text without letters (empty, digits, punctuation), text whose letters no candidate language's models know,
 * and in low-accuracy mode text of fewer than three letters give {@link #UNDETERMINED} ("und", the ISO 639-2
 * and BCP 47 code for an undetermined language) with score 0.
 *
 * <h2>Sharing and cost</h2>
 * Lingua keeps its models in static maps and loads each language's model on first use, so they live once
 * per JVM. Detectors are cached per (accuracy, candidate languages); this object only holds the settings and
 * looks its detector up lazily, so it is cheap to serialize into Spark closures. Detection is thread-safe.
 * Where Lingua uses trigrams alone (low accuracy, and any text of 120 characters or more) the n-gram sums
 * come from {@link TrigramTables}: Lingua's uni-, bi- and trigram models in primitive tables (~50 MB for all
 * languages), scored in one pass, after Lingua's clean-up and script rules computed on tables
 * ({@link LinguaRules}); the results are Lingua's, and Lingua's own detector is not loaded at all. High accuracy on shorter texts runs Lingua itself, with all its n-gram models (~1.4 GB for all
 * languages once they are loaded).
 */
public final class LanguageIdentifier implements Detector {
    private static final long serialVersionUID = 1L;

    /** The code for text whose language cannot be determined (ISO 639-2 / BCP 47 "und"). */
    public static final String UNDETERMINED = "und";

    /** The softmax sharpness k applied to relative log-likelihood gaps; see the class comment. */
    public static final double SHARPNESS = 20.0;

    /** Lingua's trade-off: LOW uses trigram models only; HIGH adds the other n-gram sizes for short texts. */
    public enum Accuracy {
        LOW, HIGH;

        /** "low" or "high", as written in the configuration. */
        public static Accuracy parse(String value) {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        }
    }

    private static final Map<String, Language> BY_CODE = new TreeMap<>();
    private static final Language[] LANGUAGES = Language.values();
    /** Lingua's HIGH_ACCURACY_MODE_MAX_TEXT_LENGTH: from this cleaned length on, it uses trigrams alone. */
    private static final int HIGH_ACCURACY_MAX_LENGTH = 120;

    static {
        for (Language language : Language.all()) {
            BY_CODE.put(code(language), language);
        }
    }

    private record Key(Accuracy accuracy, Set<Language> languages) {
    }

    private static final Map<Key, LanguageDetector> DETECTORS = new ConcurrentHashMap<>();
    private static final Map<Set<Language>, LinguaRules> RULES = new ConcurrentHashMap<>();

    private final Accuracy accuracy;
    private final int maxChars;
    /** ISO 639-1 codes of the candidate languages, sorted. */
    private final TreeSet<String> languages;
    private transient volatile LanguageDetector detector;
    private transient volatile LinguaRules rules;

    /** A detector over every language Lingua supports. */
    public LanguageIdentifier(Accuracy accuracy, int maxChars) {
        this(accuracy, maxChars, Collections.emptySet());
    }

    /**
     * @param accuracy   Lingua's accuracy mode
     * @param maxChars   detect on at most this many leading characters
     * @param candidates ISO 639-1 codes of the languages to choose from (at least two); empty means all
     *                   supported languages
     * @throws IllegalArgumentException for an unsupported code, a single candidate or maxChars &lt; 1
     */
    public LanguageIdentifier(Accuracy accuracy, int maxChars, Collection<String> candidates) {
        if (maxChars < 1) {
            throw new IllegalArgumentException("maxChars must be at least 1, got " + maxChars);
        }
        this.accuracy = Objects.requireNonNull(accuracy, "accuracy");
        this.maxChars = maxChars;
        this.languages = new TreeSet<>();
        for (String candidate : candidates) {
            String code = normalize(candidate);
            if (!BY_CODE.containsKey(code)) {
                throw new IllegalArgumentException("unsupported language '" + candidate + "'; supported: "
                        + BY_CODE.keySet());
            }
            languages.add(code);
        }
        if (languages.size() == 1) {
            // A single candidate would make every text that language with score 1, whatever it is written in.
            throw new IllegalArgumentException("need at least 2 candidate languages (or none for all), got " + languages);
        }
        if (languages.isEmpty()) {
            languages.addAll(BY_CODE.keySet());
        }
    }

    /** ISO 639-1 codes of every language Lingua can detect, sorted. */
    public static Set<String> supportedLanguages() {
        return Collections.unmodifiableSet(BY_CODE.keySet());
    }

    /** Lower case, trimmed: the form codes are compared in. */
    static String normalize(String code) {
        return code.trim().toLowerCase(Locale.ROOT);
    }

    public Accuracy accuracy() {
        return accuracy;
    }

    public int maxChars() {
        return maxChars;
    }

    /** The candidate languages (ISO 639-1), sorted. */
    public Set<String> languages() {
        return Collections.unmodifiableSet(languages);
    }

    @Override
    public Detection detect(String text) {
        String sample = prefix(text, maxChars);
        String cleaned = LinguaRules.cleanUp(sample);
        if (accuracy == Accuracy.LOW || cleaned.length() >= HIGH_ACCURACY_MAX_LENGTH) {
            return detectByTrigrams(cleaned);
        }
        return detectWithLingua(sample);
    }

    /** Lingua's own computation, end to end (high accuracy on short texts; the reference of the fast path). */
    Detection detectWithLingua(String text) {
        SortedMap<Language, Double> values = lingua().computeLanguageConfidenceValues(text);
        if (values.isEmpty()) {
            return Detection.undetermined();
        }
        Language top = values.firstKey();
        if (top == Language.UNKNOWN) {
            return Detection.undetermined();
        }
        return new Detection(code(top), topScore(values.values()));
    }

    /**
     * Lingua's computeLanguageConfidenceValues where it uses trigrams alone (low accuracy, or any text of 120
     * characters or more), on tables: its clean-up and script rules from {@link LinguaRules}, the n-gram sums
     * from {@link TrigramTables}. The result is Lingua's to float precision (tested against it on real text).
     */
    private Detection detectByTrigrams(String cleaned) {
        if (cleaned.isEmpty() || cleaned.codePoints().noneMatch(Character::isLetter)) {
            return Detection.undetermined();
        }
        LinguaRules rules = rules();
        List<String> words = LinguaRules.words(cleaned);
        Language byRules = rules.detectByRules(words);
        if (byRules != Language.UNKNOWN) {
            return new Detection(code(byRules), 1.0);
        }
        Set<Language> filtered = rules.filterByRules(words);
        if (filtered.size() == 1) {
            return new Detection(code(filtered.iterator().next()), 1.0);
        }
        if (cleaned.length() < 3) {
            return Detection.undetermined();
        }
        int[] candidates = filtered.stream().mapToInt(Language::ordinal).sorted().toArray();
        double[] sums = TrigramTables.get().sums(cleaned, candidates);
        // Languages with no known n-gram (sum 0) drop out; the top is the largest sum, ties to the first language.
        int top = -1;
        for (int k = 0; k < sums.length; k++) {
            if (sums[k] < 0 && (top < 0 || sums[k] > sums[top])) {
                top = k;
            }
        }
        if (top < 0) {
            return Detection.undetermined();
        }
        List<Double> relative = new ArrayList<>(sums.length);
        for (double sum : sums) {
            if (sum < 0) {
                relative.add(sums[top] / sum);
            }
        }
        return new Detection(code(LANGUAGES[candidates[top]]), topScore(relative));
    }

    /**
     * p_top of the softmax over -k (1/r - 1), r being Lingua's relative confidence values (top = 1.0). Values
     * that are not positive and finite carry no likelihood and are left out.
     */
    static double topScore(Collection<Double> relativeConfidences) {
        double sum = 0.0;
        double top = 0.0;
        for (double r : relativeConfidences) {
            if (r > 0.0 && Double.isFinite(r)) {
                top = Math.max(top, r);
            }
        }
        if (top == 0.0) {
            return 0.0;
        }
        for (double r : relativeConfidences) {
            if (r > 0.0 && Double.isFinite(r)) {
                // Rescale so the top is exactly 1 even if a caller passes unnormalised values.
                sum += Math.exp(-SHARPNESS * (top / r - 1.0));
            }
        }
        return Math.min(1.0, 1.0 / sum);
    }

    /** The first maxChars characters, not splitting a surrogate pair. */
    static String prefix(String text, int maxChars) {
        if (text.length() <= maxChars) {
            return text;
        }
        int end = maxChars;
        if (Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(0, end);
    }

    private LinguaRules rules() {
        LinguaRules r = rules;
        if (r == null) {
            r = RULES.computeIfAbsent(candidateSet(), LinguaRules::new);
            rules = r;
        }
        return r;
    }

    private EnumSet<Language> candidateSet() {
        EnumSet<Language> set = EnumSet.noneOf(Language.class);
        for (String code : languages) {
            set.add(BY_CODE.get(code));
        }
        return set;
    }

    private LanguageDetector lingua() {
        LanguageDetector d = detector;
        if (d == null) {
            d = DETECTORS.computeIfAbsent(new Key(accuracy, candidateSet()), LanguageIdentifier::build);
            detector = d;
        }
        return d;
    }

    private static LanguageDetector build(Key key) {
        Language[] chosen = key.languages().toArray(new Language[0]);
        LanguageDetectorBuilder builder = chosen.length == BY_CODE.size()
                ? LanguageDetectorBuilder.fromAllLanguages()
                : LanguageDetectorBuilder.fromLanguages(chosen);
        if (key.accuracy() == Accuracy.LOW) {
            builder = builder.withLowAccuracyMode();
        }
        return builder.build();
    }

    private static String code(Language language) {
        IsoCode639_1 iso = language.getIsoCode639_1();
        return iso.name().toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return "LanguageIdentifier[accuracy=" + accuracy + ", maxChars=" + maxChars + ", languages="
                + (languages.size() == BY_CODE.size() ? "all" : languages) + "]";
    }
}
