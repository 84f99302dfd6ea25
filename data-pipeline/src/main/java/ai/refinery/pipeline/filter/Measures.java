package ai.refinery.pipeline.filter;

import ai.refinery.pipeline.doc.Document;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The values one filter measured on one document, in the order it measured them: the score half of a filter,
 * kept apart from its keep decision. A filter records each value as it computes it and ends with
 * {@link #keep} or {@link #reject}; rules are checked in order and stop at the first failure, so a rejected
 * document carries the values up to the failing one and a kept document all of them.
 */
public final class Measures {
    private final Map<String, Double> values = new LinkedHashMap<>();

    /** Records one measured value under a short snake_case name (e.g. {@code words}, {@code bullet_lines_ratio}). */
    public Measures put(String name, double value) {
        values.put(name, value);
        return this;
    }

    public Outcome keep(Document document) {
        return Outcome.keep(document).withMeasures(values);
    }

    public Outcome reject(Document document, String reason, String detail) {
        return Outcome.reject(document, reason, detail).withMeasures(values);
    }
}
