package ai.refinery.pipeline.filter;

import ai.refinery.pipeline.doc.Document;

import java.io.Serializable;

/**
 * One filtering step over one document: keep (possibly with cleaned text) or reject with a reason.
 * Implementations are plain Java, serializable so Spark can ship them, and hold their thresholds as fields
 * read once from configuration.
 */
public interface DocumentFilter extends Serializable {

    /** The stage name used in configuration, in {@code rejected/} rows and in stats.json. */
    String name();

    Outcome apply(Document document);
}
