package ai.refinery.core.sft;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An instruction row of the SFT contract: a stable id, the conversation, where it came from, and where the
 * input gives them its split ({@code train} or {@code test}) and a quality score.
 *
 * @param split null when the input names none
 * @param score null when the input gives none
 */
public record SftRow(String id, List<Message> messages, String source, String split, Double score)
        implements Serializable {
    public static final String TRAIN = "train";
    public static final String TEST = "test";

    /** A message: role and content. */
    public static final StructType MESSAGE = new StructType()
            .add("role", DataTypes.StringType, false)
            .add("content", DataTypes.StringType, false);

    /** The Parquet schema of instruction rows (the data/ of sft-data). */
    public static final StructType SCHEMA = new StructType()
            .add("id", DataTypes.StringType, false)
            .add("messages", DataTypes.createArrayType(MESSAGE, false), false)
            .add("source", DataTypes.StringType, false)
            .add("split", DataTypes.StringType, true)
            .add("score", DataTypes.DoubleType, true);

    public SftRow {
        messages = List.copyOf(messages);
    }

    /** The {@link #SCHEMA} values of this row, in schema order. */
    public Object[] values() {
        Row[] turns = new Row[messages.size()];
        for (int i = 0; i < turns.length; i++) {
            turns[i] = RowFactory.create(messages.get(i).role(), messages.get(i).content());
        }
        return new Object[] {id, turns, source, split, score};
    }

    /** Reads a row with at least id and messages (by column name); source, split and score when present. */
    public static SftRow fromRow(Row r) {
        List<Row> turns = r.getList(r.fieldIndex("messages"));
        List<Message> messages = new ArrayList<>(turns.size());
        for (Row t : turns) {
            messages.add(new Message(t.getAs("role"), t.getAs("content")));
        }
        List<String> present = Arrays.asList(r.schema().fieldNames());
        String source = present.contains("source") ? r.getAs("source") : null;
        String split = present.contains("split") ? r.getAs("split") : null;
        Double score = present.contains("score") && !r.isNullAt(r.fieldIndex("score"))
                ? ((Number) r.getAs("score")).doubleValue() : null;
        return new SftRow(r.getAs("id"), messages, source, split, score);
    }
}
