package ai.refinery.core.schema;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** The Parquet schemas of document outputs: data/ (one row per document) and rejected/ (the row, plus why). */
public final class DocumentSchema {
    /** data/: one row per kept document, as the filter stage writes it. */
    public static final StructType DOCUMENT = new StructType()
            .add(Columns.ID, DataTypes.StringType, false)
            .add(Columns.TEXT, DataTypes.StringType, false)
            .add(Columns.URL, DataTypes.StringType, true)
            .add(Columns.SOURCE, DataTypes.StringType, true)
            .add(Columns.FORMAT, DataTypes.StringType, true)
            .add(Columns.RECORD_ID, DataTypes.StringType, true)
            .add(Columns.FETCH_TIME, DataTypes.StringType, true)
            .add(Columns.LANG, DataTypes.StringType, true)
            .add(Columns.LANG_SCORE, DataTypes.DoubleType, true)
            .add(Columns.SCORES, DataTypes.createMapType(DataTypes.StringType, DataTypes.DoubleType, false), true);

    /** rejected/: the document as the rejecting stage saw it, plus stage, reason and detail. */
    public static final StructType REJECTED = withRejection(DOCUMENT, false);

    public static final String[] DOCUMENT_COLUMNS = DOCUMENT.fieldNames();
    public static final String[] REJECTED_COLUMNS = REJECTED.fieldNames();

    private DocumentSchema() {
    }

    /** {@code rows} plus the stage, reason and detail columns every rejected/ carries. */
    public static StructType withRejection(StructType rows, boolean nullable) {
        return rows.add(Columns.STAGE, DataTypes.StringType, nullable)
                .add(Columns.REASON, DataTypes.StringType, nullable)
                .add(Columns.DETAIL, DataTypes.StringType, true);
    }
}
