package ai.refinery.pipeline.spark;

import ai.refinery.pipeline.doc.Document;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The Parquet schemas of stage outputs (documented in README.md) and the conversion from {@link Document}.
 */
public final class DocumentRows {
    /** data/: one row per kept document. */
    public static final StructType DOCUMENT = new StructType()
            .add("id", DataTypes.StringType, false)
            .add("text", DataTypes.StringType, false)
            .add("url", DataTypes.StringType, true)
            .add("source", DataTypes.StringType, true)
            .add("format", DataTypes.StringType, true)
            .add("record_id", DataTypes.StringType, true)
            .add("fetch_time", DataTypes.StringType, true)
            .add("lang", DataTypes.StringType, true)
            .add("lang_score", DataTypes.DoubleType, true);

    /** rejected/: the document as the rejecting stage saw it, plus why. */
    public static final StructType REJECTED = DOCUMENT
            .add("stage", DataTypes.StringType, false)
            .add("reason", DataTypes.StringType, false)
            .add("detail", DataTypes.StringType, true);

    public static final String[] DOCUMENT_COLUMNS = DOCUMENT.fieldNames();
    public static final String[] REJECTED_COLUMNS = REJECTED.fieldNames();

    private DocumentRows() {
    }

    /** The {@link #DOCUMENT} values of a document, in schema order. */
    public static Object[] values(Document d) {
        Double score = Double.isNaN(d.langScore()) ? null : d.langScore();
        return new Object[] {d.id(), d.text(), d.url(), d.source(), d.format(), d.recordId(), d.fetchTime(), d.lang(), score};
    }

    /** Reads a {@link #DOCUMENT}-shaped row (by column name) back into a document. */
    public static Document document(Row row) {
        Object score = row.getAs("lang_score");
        return new Document(row.getAs("id"), row.getAs("text"), row.getAs("url"), row.getAs("source"),
                row.getAs("format"), row.getAs("record_id"), row.getAs("fetch_time"), row.getAs("lang"),
                score == null ? Double.NaN : (Double) score);
    }
}
