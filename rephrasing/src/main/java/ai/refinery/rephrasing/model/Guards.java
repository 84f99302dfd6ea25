package ai.refinery.rephrasing.model;

import ai.refinery.core.config.ConfigError;
import ai.refinery.core.config.Section;
import ai.refinery.pipeline.doc.Document;
import ai.refinery.pipeline.filter.DocumentFilter;
import ai.refinery.pipeline.filter.FilterStages;
import ai.refinery.pipeline.filter.Outcome;
import ai.refinery.pipeline.langid.LanguageFilter;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Checks on generated text before it becomes training data (section rephrase.guards): a length window, a
 * "copies its source" check, and any of the pipeline's filter stages with their filter.* settings. The first
 * failing check names the rejection.
 */
public final class Guards implements Serializable {
    public static final String SECTION = "rephrase.guards";
    public static final String LENGTH = "length";
    public static final String COPY = "copy";
    public static final String TOO_SHORT = "too_short";
    public static final String TOO_LONG = "too_long";
    public static final String COPIES_SOURCE = "copies_source";

    private final int minChars;
    private final int maxChars;
    private final int copyNgram;
    private final double copyThreshold;
    private final List<DocumentFilter> stages;

    public Guards(int minChars, int maxChars, int copyNgram, double copyThreshold, List<DocumentFilter> stages) {
        this.minChars = minChars;
        this.maxChars = maxChars;
        this.copyNgram = copyNgram;
        this.copyThreshold = copyThreshold;
        this.stages = List.copyOf(stages);
    }

    /** No filter stages: only the length window and the copy check. */
    public static Guards basic(int minChars, int maxChars, int copyNgram, double copyThreshold) {
        return new Guards(minChars, maxChars, copyNgram, copyThreshold, List.of());
    }

    public static Guards from(Config config) {
        Section s = new Section(config, SECTION);
        List<String> names = s.strings("stages");
        // FilterStages reads the stage list from filter.stages; give it ours, with every filter.* threshold as is.
        Config forStages = config.withValue(FilterStages.STAGES_KEY, ConfigValueFactory.fromIterable(names));
        List<DocumentFilter> stages;
        try {
            stages = FilterStages.fromConfig(forStages, Map.of(LanguageFilter.NAME, LanguageFilter::fromConfig));
        } catch (ConfigError e) {
            throw ConfigError.forKey(s.key("stages"), e.getMessage().replace(FilterStages.STAGES_KEY, s.key("stages")));
        }
        int min = s.intAtLeast("min_chars", 0);
        int max = s.intAtLeast("max_chars", 1);
        if (max < min) {
            throw ConfigError.forKey(s.key("max_chars"), "must be at least min_chars (" + min + "), got " + max);
        }
        return new Guards(min, max, s.intAtLeast("copy_ngram", 1), s.nonNegative("copy_threshold"), stages);
    }

    /** A failed check: which guard, its reason code and the measured value. */
    public record Verdict(String guard, String reason, String detail, String lang, Double langScore) {
        public boolean kept() {
            return reason == null;
        }
    }

    /** Checks one generated text against its source document text. */
    public Verdict check(String id, String generated, String source) {
        int chars = generated.codePointCount(0, generated.length());
        if (chars < minChars) {
            return new Verdict(LENGTH, TOO_SHORT, chars + " < " + minChars + " characters", null, null);
        }
        if (chars > maxChars) {
            return new Verdict(LENGTH, TOO_LONG, chars + " > " + maxChars + " characters", null, null);
        }
        double c = containment(generated, source, copyNgram);
        if (c >= copyThreshold) {
            return new Verdict(COPY, COPIES_SOURCE, String.format(Locale.ROOT, "%.3f of the output's word %d-grams are in the source >= %s",
                    c, copyNgram, copyThreshold), null, null);
        }
        Document doc = Document.of(id, generated, null, "generated", "generated", id, null);
        for (DocumentFilter f : stages) {
            Outcome o = f.apply(doc);
            if (!o.kept()) {
                return new Verdict(f.name(), o.reason(), o.detail(), null, null);
            }
            // Cleanups (line_cleanup, c4_quality) would change the text; a guard only judges it.
            if (o.document().lang() != null) {
                doc = doc.withLanguage(o.document().lang(), o.document().langScore());
            }
        }
        return new Verdict(null, null, null, doc.lang(), doc.lang() == null ? null : doc.langScore());
    }

    /**
     * Share of the output's distinct word n-grams (lowercased runs of letters and digits) that also occur in the
     * source. An output with fewer than n words is compared as one shingle of all its words. 0 for an output
     * without words.
     */
    public static double containment(String output, String source, int n) {
        List<String> out = words(output);
        if (out.isEmpty()) {
            return 0;
        }
        List<String> src = words(source);
        int k = Math.min(n, out.size());
        Set<String> outGrams = grams(out, k);
        Set<String> srcGrams = grams(src, k);
        int common = 0;
        for (String g : outGrams) {
            if (srcGrams.contains(g)) {
                common++;
            }
        }
        return (double) common / outGrams.size();
    }

    private static Set<String> grams(List<String> words, int k) {
        Set<String> out = new HashSet<>();
        for (int i = 0; i + k <= words.size(); i++) {
            out.add(String.join(" ", words.subList(i, i + k)));
        }
        return out;
    }

    static List<String> words(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        text.codePoints().forEach(cp -> {
            if (Character.isLetterOrDigit(cp)) {
                w.appendCodePoint(Character.toLowerCase(cp));
            } else if (w.length() > 0) {
                out.add(w.toString());
                w.setLength(0);
            }
        });
        if (w.length() > 0) {
            out.add(w.toString());
        }
        return out;
    }

    public List<String> stageNames() {
        return stages.stream().map(DocumentFilter::name).toList();
    }
}
