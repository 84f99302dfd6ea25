package ai.refinery.rephrasing;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Schema of generated documents (biographies): the pipeline's document columns plus provenance, so any row can
 * be traced to the person, the generator and the seed that made it.
 */
public final class DocumentRows {
    public static final String SOURCE_BIOS = "bios";
    /** Synthetic text is English by construction; lang_score stays null because nothing measured it. */
    public static final String LANG = "en";

    public static final StructType SCHEMA = new StructType(new StructField[]{
            DataTypes.createStructField("id", DataTypes.StringType, false),
            DataTypes.createStructField("text", DataTypes.StringType, false),
            DataTypes.createStructField("url", DataTypes.StringType, true),
            DataTypes.createStructField("source", DataTypes.StringType, false),
            DataTypes.createStructField("lang", DataTypes.StringType, true),
            DataTypes.createStructField("lang_score", DataTypes.DoubleType, true),
            // provenance
            DataTypes.createStructField("person_id", DataTypes.StringType, false),
            DataTypes.createStructField("rephraser", DataTypes.StringType, false),
            DataTypes.createStructField("variant", DataTypes.IntegerType, false),
            DataTypes.createStructField("template_ids", DataTypes.createArrayType(DataTypes.IntegerType, false), false),
            DataTypes.createStructField("seed", DataTypes.LongType, false),
            DataTypes.createStructField("model_id", DataTypes.StringType, true),
            DataTypes.createStructField(GlobalOrder.SHUFFLE_KEY, DataTypes.LongType, false),
    });

    private DocumentRows() {
    }

    /** "person-000000123-bio-2": stable, and unique within one output. */
    public static String id(String personId, int variant) {
        return personId + "-bio-" + variant;
    }
}
