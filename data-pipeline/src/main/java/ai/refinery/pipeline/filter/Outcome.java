package ai.refinery.pipeline.filter;

import ai.refinery.pipeline.doc.Document;

import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What one step decided about one document: keep it (possibly with changed text) or reject it with a
 * short machine-readable reason and a human-readable detail (the measured value against the threshold).
 */
public final class Outcome implements Serializable {
    private final Document document;
    private final String reason;
    private final String detail;
    private final Map<String, Double> measures;

    private Outcome(Document document, String reason, String detail, Map<String, Double> measures) {
        this.document = Objects.requireNonNull(document);
        this.reason = reason;
        this.detail = detail;
        this.measures = measures;
    }

    public static Outcome keep(Document document) {
        return new Outcome(document, null, null, Map.of());
    }

    /** @param reason a stable snake_case code such as {@code too_few_words}; @param detail e.g. "12 < 50" */
    public static Outcome reject(Document document, String reason, String detail) {
        return new Outcome(document, Objects.requireNonNull(reason), detail, Map.of());
    }

    /** The same decision carrying the values the step measured (see {@link Measures}). */
    public Outcome withMeasures(Map<String, Double> values) {
        return new Outcome(document, reason, detail, Collections.unmodifiableMap(new LinkedHashMap<>(values)));
    }

    /** What the step measured on the document, by name, in the order measured; empty for steps that measure nothing. */
    public Map<String, Double> measures() {
        return measures;
    }

    public boolean kept() {
        return reason == null;
    }

    /** The document as this step left it (the changed text for a kept document, the input for a rejected one). */
    public Document document() {
        return document;
    }

    public String reason() {
        return reason;
    }

    public String detail() {
        return detail;
    }

    @Override
    public String toString() {
        return kept() ? "keep" : "reject(" + reason + (detail == null ? "" : ": " + detail) + ")";
    }
}
