package ai.refinery.core.stage;

import ai.refinery.core.outcome.Counts;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a stage run produced: the common {@link Counts}, the stage's own figures (stats.json puts them beside the
 * counts), the headline figures the manifest's {@code counts} carries beside them, and a one-line summary.
 */
public record StageResult(Counts counts, Map<String, ?> figures, Map<String, ?> headline, String summary) {

    public StageResult {
        figures = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(figures));
        headline = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(headline));
    }

    /** A result whose manifest carries every figure. */
    public static StageResult of(Counts counts, Map<String, ?> figures, String summary) {
        return new StageResult(counts, figures, figures, summary);
    }

    /** stats.json: the counts, then the figures. */
    public Map<String, Object> stats() {
        return counts.with(figures);
    }

    /** manifest.json's counts: the counts, then the headline figures. */
    public Map<String, Object> manifestCounts() {
        return counts.with(headline);
    }
}
