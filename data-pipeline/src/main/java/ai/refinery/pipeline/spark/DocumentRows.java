package ai.refinery.pipeline.spark;

import ai.refinery.pipeline.doc.Document;
import ai.refinery.core.schema.DocumentSchema;
import scala.collection.JavaConverters;

/**
 * Rows of {@link DocumentSchema#DOCUMENT} from {@link Document}.
 */
public final class DocumentRows {
    private DocumentRows() {
    }

    /** The {@link DocumentSchema#DOCUMENT} values of a document, in schema order. */
    public static Object[] values(Document d) {
        Double score = Double.isNaN(d.langScore()) ? null : d.langScore();
        // No scores recorded reads as null ("not scored"), not as an empty map. Spark's Row encoder takes Scala maps.
        Object scores = d.scores().isEmpty() ? null : JavaConverters.mapAsScalaMap(d.scores());
        return new Object[] {d.id(), d.text(), d.url(), d.source(), d.format(), d.recordId(), d.fetchTime(), d.lang(), score,
                scores};
    }
}
