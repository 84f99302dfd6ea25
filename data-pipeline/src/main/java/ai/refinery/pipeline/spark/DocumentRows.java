package ai.refinery.pipeline.spark;

import ai.refinery.pipeline.doc.Document;
import ai.refinery.core.schema.DocumentSchema;
import org.apache.spark.sql.Row;

/**
 * Rows of {@link DocumentSchema#DOCUMENT} from and to {@link Document}.
 */
public final class DocumentRows {
    private DocumentRows() {
    }

    /** The {@link DocumentSchema#DOCUMENT} values of a document, in schema order. */
    public static Object[] values(Document d) {
        Double score = Double.isNaN(d.langScore()) ? null : d.langScore();
        return new Object[] {d.id(), d.text(), d.url(), d.source(), d.format(), d.recordId(), d.fetchTime(), d.lang(), score};
    }

    /** Reads a {@link DocumentSchema#DOCUMENT}-shaped row (by column name) back into a document. */
    public static Document document(Row row) {
        Object score = row.getAs("lang_score");
        return new Document(row.getAs("id"), row.getAs("text"), row.getAs("url"), row.getAs("source"),
                row.getAs("format"), row.getAs("record_id"), row.getAs("fetch_time"), row.getAs("lang"),
                score == null ? Double.NaN : (Double) score);
    }
}
