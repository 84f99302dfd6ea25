package ai.refinery.pipeline.doc;

import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One input document as it moves through the pipeline. Immutable: steps that change the text or add the
 * language return a copy.
 *
 * @param id        stable identifier derived from the source and the record, never a counter
 * @param text      the extracted plain text (may be empty, never null)
 * @param url       the page URL where the source has one, else null
 * @param source    the input file the record came from (a Hadoop FS URI)
 * @param format    the input format: warc, wet, jsonl, text or parquet
 * @param recordId  where in the source: a WARC-Record-ID, "line:N" or "row:N"
 * @param fetchTime the crawl time (WARC-Date, ISO-8601) where known, else null
 * @param lang      the detected language code (ISO 639-1 where one exists), null before language ID
 * @param langScore the detector's confidence for {@code lang} in [0, 1], NaN before language ID
 * @param scores    named scores that scoring steps recorded (e.g. {@code gopher_quality.words}), in the order they
 *                  were recorded; empty when none
 */
public record Document(String id, String text, String url, String source, String format, String recordId,
                       String fetchTime, String lang, double langScore, Map<String, Double> scores)
        implements Serializable {

    public Document {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(text, "text");
        scores = scores == null || scores.isEmpty() ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(scores));
    }

    /** A document with no language yet, as readers create it. */
    public static Document of(String id, String text, String url, String source, String format, String recordId,
                              String fetchTime) {
        return new Document(id, text, url, source, format, recordId, fetchTime, null, Double.NaN, Map.of());
    }

    public Document withText(String newText) {
        return new Document(id, newText, url, source, format, recordId, fetchTime, lang, langScore, scores);
    }

    public Document withLanguage(String newLang, double score) {
        return new Document(id, text, url, source, format, recordId, fetchTime, newLang, score, scores);
    }

    /** This document with {@code added} recorded after its scores (a name recorded again takes the new value). */
    public Document withScores(Map<String, Double> added) {
        if (added.isEmpty()) {
            return this;
        }
        Map<String, Double> merged = new LinkedHashMap<>(scores);
        merged.putAll(added);
        return new Document(id, text, url, source, format, recordId, fetchTime, lang, langScore, merged);
    }
}
