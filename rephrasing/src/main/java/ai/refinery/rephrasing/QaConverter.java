package ai.refinery.rephrasing;

import ai.refinery.core.schema.Columns;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

/**
 * Entity records to question/answer conversations in the SFT row format: {@code messages} is a list of
 * {role, content} (an optional system turn, then user and assistant), and {@code split} puts each person
 * wholly in train or test.
 */
public final class QaConverter {
    public static final String STAGE = "qa";
    public static final String SOURCE = "bios_qa";
    public static final String REPHRASER = "qa_template";

    public static final StructType MESSAGE = new StructType(new StructField[]{
            DataTypes.createStructField("role", DataTypes.StringType, false),
            DataTypes.createStructField("content", DataTypes.StringType, false),
    });

    public static final StructType SCHEMA = new StructType(new StructField[]{
            DataTypes.createStructField("id", DataTypes.StringType, false),
            DataTypes.createStructField("messages", DataTypes.createArrayType(MESSAGE, false), false),
            DataTypes.createStructField("source", DataTypes.StringType, false),
            DataTypes.createStructField("split", DataTypes.StringType, false),
            // provenance
            DataTypes.createStructField("person_id", DataTypes.StringType, false),
            DataTypes.createStructField("attribute", DataTypes.StringType, false),
            DataTypes.createStructField("rephraser", DataTypes.StringType, false),
            DataTypes.createStructField("template_ids", DataTypes.createArrayType(DataTypes.IntegerType, false), false),
            DataTypes.createStructField("seed", DataTypes.LongType, false),
            DataTypes.createStructField("model_id", DataTypes.StringType, true),
            DataTypes.createStructField(GlobalOrder.SHUFFLE_KEY, DataTypes.LongType, false),
    });

    private QaConverter() {
    }

    /**
     * QA rows for every usable person, in global shuffle order; unusable people rows are returned in rejected.
     */
    public static RephraseResult run(SparkSession spark, Dataset<Row> people, RephraseSettings settings) {
        long seed = settings.seed();
        RephraseSettings.Qa qa = settings.qa();
        double testFraction = qa.testFraction();
        int perAttribute = qa.questionsPerAttribute();
        String system = qa.systemPrompt();
        Dataset<Row> checked = PeopleTable.normalise(people).withColumn(Columns.REASON, PeopleTable.rejectReason());
        Dataset<Row> rejected = checked.where(col(Columns.REASON).isNotNull()).withColumn(Columns.STAGE, lit(STAGE));
        Dataset<Row> valid = checked.where(col(Columns.REASON).isNull()).drop(Columns.REASON);
        MapPartitionsFunction<Row, Row> convert = rows -> {
            QaWriter writer = QaWriter.standard();
            return TemplateRephraser.flatMap(rows,
                    row -> rows(writer, PeopleTable.fromRow(row), seed, perAttribute, testFraction, system));
        };
        Dataset<Row> data = valid.mapPartitions(convert, Encoders.row(SCHEMA));
        return new RephraseResult(GlobalOrder.sort(data), rejected, people);
    }

    /** The QA rows of one person (plain Java; what each Spark task runs). */
    public static List<Row> rows(QaWriter writer, Person person, long seed, int perAttribute, double testFraction,
                                 String systemPrompt) {
        String split = QaWriter.split(person.id(), seed, testFraction);
        List<QaWriter.QaPair> pairs = writer.pairs(person, seed, perAttribute);
        List<Row> out = new ArrayList<>(pairs.size());
        for (QaWriter.QaPair pair : pairs) {
            List<Row> messages = new ArrayList<>(3);
            if (!systemPrompt.isEmpty()) {
                messages.add(RowFactory.create("system", systemPrompt));
            }
            messages.add(RowFactory.create("user", pair.question()));
            messages.add(RowFactory.create("assistant", pair.answer()));
            String id = person.id() + "-qa-" + pair.templateId();
            out.add(RowFactory.create(id, messages.toArray(new Row[0]), SOURCE, split, person.id(), pair.attribute().key(), REPHRASER,
                    new Integer[]{pair.templateId()}, seed, null, GlobalOrder.key(seed, id)));
        }
        return out;
    }
}
