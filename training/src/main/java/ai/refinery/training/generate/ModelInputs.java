package ai.refinery.training.generate;

import ai.refinery.core.config.ConfigError;
import ai.refinery.core.sft.Message;
import ai.refinery.core.sft.SftRow;
import ai.refinery.core.spark.ParquetInputs;
import ai.refinery.core.spark.ShufflePartitions;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The {@code --input} of the model jobs (generate, score): Parquet files, folders or globs, an earlier stage's
 * output folder, or JSON Lines files ({@code .jsonl}, {@code .json}, {@code .ndjson}, optionally {@code .gz}), as
 * OpenAI-style chat data usually comes. A JSON line that cannot be read has null columns, so it is counted as a
 * rejected row rather than lost.
 */
public final class ModelInputs {
    private ModelInputs() {
    }

    public static Dataset<Row> read(SparkSession spark, List<String> inputs) {
        var conf = spark.sparkContext().hadoopConfiguration();
        List<String> paths = ParquetInputs.resolve(conf, inputs);
        List<String> json = paths.stream().filter(ModelInputs::isJson).toList();
        if (json.isEmpty()) {
            return ParquetInputs.read(spark, inputs);
        }
        if (json.size() != paths.size()) {
            throw new ConfigError("--input mixes JSON Lines and Parquet files: give one kind at a time");
        }
        ShufflePartitions.fit(spark, ParquetInputs.bytes(conf, paths));
        return spark.read().json(paths.toArray(new String[0]));
    }

    static boolean isJson(String path) {
        String p = path.toLowerCase(Locale.ROOT).replaceFirst("\\.gz$", "");
        return p.endsWith(".jsonl") || p.endsWith(".json") || p.endsWith(".ndjson");
    }

    /**
     * A conversation read from a {@code messages} value (a list of rows with {@code role} and {@code content}, in
     * any column order).
     *
     * @throws IllegalArgumentException when a message or its role or content is missing
     */
    static List<Message> messages(List<Row> turns) {
        List<Message> out = new ArrayList<>(turns.size());
        for (int i = 0; i < turns.size(); i++) {
            Row t = turns.get(i);
            String role = t == null ? null : field(t, "role");
            String content = t == null ? null : field(t, "content");
            if (role == null || content == null) {
                throw new IllegalArgumentException("message " + i + " has no " + (role == null ? "role" : "content"));
            }
            out.add(new Message(role, content));
        }
        return out;
    }

    private static String field(Row r, String name) {
        int i;
        try {
            i = r.fieldIndex(name);
        } catch (IllegalArgumentException e) {
            return null;
        }
        return r.isNullAt(i) ? null : String.valueOf(r.get(i));
    }

    /** A conversation as {@link SftRow#MESSAGE} rows (role, content), whatever the input's column order. */
    static Row[] messageRows(List<Message> messages) {
        Row[] rows = new Row[messages.size()];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = RowFactory.create(messages.get(i).role(), messages.get(i).content());
        }
        return rows;
    }
}
