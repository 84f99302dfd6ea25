package ai.refinery.pipeline.langid;

import ai.refinery.core.config.ConfigError;
import ai.refinery.core.config.Section;
import ai.refinery.pipeline.doc.Document;
import ai.refinery.pipeline.filter.DocumentFilter;
import ai.refinery.pipeline.filter.Outcome;
import com.typesafe.config.Config;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The {@code language} stage (RefinedWeb): detect each document's language, annotate the document with it
 * (kept and rejected documents alike, so rejected rows show what was detected), and keep the document when
 * the language is one of {@code keep} and its score is at least {@code threshold}.
 * <p>
 * Rejections: {@value #NOT_KEPT} ("fr 0.98 not in [en]") when the top language is not wanted, including
 * {@code und} for text without a detectable language; otherwise {@value #LOW_SCORE} ("en 0.51 &lt; 0.65").
 */
public final class LanguageFilter implements DocumentFilter {
    private static final long serialVersionUID = 1L;

    public static final String NAME = "language";
    public static final String NOT_KEPT = "language_not_kept";
    public static final String LOW_SCORE = "low_language_score";
    /** The configuration section read by {@link #fromConfig(Config)}. */
    public static final String SECTION = "filter.language";

    private final TreeSet<String> keep;
    private final double threshold;
    private final Detector detector;

    /**
     * @param keep       ISO 639-1 codes to keep; empty keeps every language whose score passes
     * @param threshold  minimum score of the top language, in [0, 1]
     * @param identifier the detector; each code in {@code keep} must be one of its candidate languages
     */
    public LanguageFilter(Collection<String> keep, double threshold, LanguageIdentifier identifier) {
        this(keep, threshold, (Detector) identifier);
        for (String code : this.keep) {
            if (!identifier.languages().contains(code)) {
                throw new IllegalArgumentException("keep: '" + code + "' is not a candidate language; candidates: "
                        + identifier.languages());
            }
        }
    }

    /** With any detector: lets tests control the score exactly. */
    LanguageFilter(Collection<String> keep, double threshold, Detector detector) {
        if (!(threshold >= 0.0 && threshold <= 1.0)) {
            throw new IllegalArgumentException("threshold must be in [0, 1], got " + threshold);
        }
        this.keep = new TreeSet<>();
        for (String code : keep) {
            this.keep.add(LanguageIdentifier.normalize(code));
        }
        this.threshold = threshold;
        this.detector = Objects.requireNonNull(detector, "detector");
    }

    /**
     * Reads {@value #SECTION}: keep, threshold, max_chars, accuracy, and, where the configuration has it,
     * languages (the candidate set; empty or absent means every supported language).
     *
     * @throws ConfigError naming the key of a bad value
     */
    public static LanguageFilter fromConfig(Config config) {
        Section section = new Section(config, SECTION);
        List<String> keep = section.strings("keep");
        double threshold = section.fraction("threshold");
        int maxChars = section.intAtLeast("max_chars", 1);
        LanguageIdentifier.Accuracy accuracy =
                LanguageIdentifier.Accuracy.parse(section.oneOf("accuracy", Set.of("low", "high")));
        List<String> candidates = config.hasPath(section.key("languages"))
                ? section.strings("languages") : Collections.emptyList();

        LanguageIdentifier identifier;
        try {
            identifier = new LanguageIdentifier(accuracy, maxChars, candidates);
        } catch (IllegalArgumentException e) {
            throw ConfigError.forKey(section.key("languages"), e.getMessage());
        }
        for (String code : keep) {
            if (!identifier.languages().contains(LanguageIdentifier.normalize(code))) {
                throw ConfigError.forKey(section.key("keep"), "'" + code + "' is not a language the detector can "
                        + "return; choose from " + identifier.languages());
            }
        }
        return new LanguageFilter(keep, threshold, identifier);
    }

    @Override
    public String name() {
        return NAME;
    }

    /** The kept languages (empty: all), sorted. */
    public Set<String> keep() {
        return Collections.unmodifiableSet(keep);
    }

    public double threshold() {
        return threshold;
    }

    @Override
    public Outcome apply(Document document) {
        Detection detection = detector.detect(document.text());
        Document annotated = document.withLanguage(detection.language(), detection.score());
        String lang = detection.language();
        double score = detection.score();
        boolean wanted = keep.isEmpty() ? !LanguageIdentifier.UNDETERMINED.equals(lang) : keep.contains(lang);
        if (!wanted) {
            return Outcome.reject(annotated, NOT_KEPT,
                    lang + " " + format(score) + " not in " + (keep.isEmpty() ? "[any language]" : keep));
        }
        if (score < threshold) {
            return Outcome.reject(annotated, LOW_SCORE, lang + " " + formatBelow(score) + " < " + plain(threshold));
        }
        return Outcome.keep(annotated);
    }

    private static String format(double score) {
        return String.format(Locale.ROOT, "%.2f", score);
    }

    /** Rounded down, so a score just under the threshold never prints as equal to it ("0.649" is "0.64"). */
    private static String formatBelow(double score) {
        return BigDecimal.valueOf(score).setScale(2, RoundingMode.FLOOR).toPlainString();
    }

    private static String plain(double value) {
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }

    @Override
    public String toString() {
        return "LanguageFilter[keep=" + keep + ", threshold=" + threshold + ", detector=" + detector + "]";
    }
}
