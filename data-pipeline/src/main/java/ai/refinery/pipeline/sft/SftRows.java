package ai.refinery.pipeline.sft;

import ai.refinery.core.sft.SftFormat;
import ai.refinery.core.sft.SftRejectReasons;
import ai.refinery.core.sft.SftRow;
import ai.refinery.core.spark.SerializableHadoopConf;
import ai.refinery.pipeline.read.InputFiles;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.input_file_name;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sha2;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.to_json;

/**
 * The Spark side of instruction-data conversion: input records (JSONL lines, or Parquet rows) to the SFT row
 * contract ({@link #ROW}) or to rejected records with {@code stage}, {@code reason} and {@code detail}
 * ({@link #REJECTED}). Every record ends up in exactly one of them. The per-record logic is {@link SftConverter}.
 */
public final class SftRows {
    /** data/: the SFT row contract. */
    public static final StructType ROW = SftRow.SCHEMA;

    /**
     * rejected/: the record's id and source, the input (its name), file and locator it came from, the record itself
     * as JSON text, the format it was read as (null when none), and why.
     */
    public static final StructType REJECTED = new StructType()
            .add("id", DataTypes.StringType, false)
            .add("source", DataTypes.StringType, false)
            .add("input", DataTypes.StringType, false)
            .add("file", DataTypes.StringType, false)
            .add("record", DataTypes.StringType, false)
            .add("json", DataTypes.StringType, false)
            .add("format", DataTypes.StringType, true)
            .add("stage", DataTypes.StringType, false)
            .add("reason", DataTypes.StringType, false)
            .add("detail", DataTypes.StringType, true);

    /** Input records: the input's name, the file, the record's locator in it, and the record as JSON text. */
    public static final StructType RECORDS = new StructType()
            .add("input", DataTypes.StringType, false)
            .add("file", DataTypes.StringType, false)
            .add("record", DataTypes.StringType, false)
            .add("json", DataTypes.StringType, false);

    /** Whether a row of {@link #OUTCOMES} was kept. */
    public static final String KEPT = "_kept";
    /** Every record's outcome: {@link #ROW}'s columns, then {@link #REJECTED}'s that ROW lacks, then {@link #KEPT}. */
    public static final StructType OUTCOMES = merged(ROW, REJECTED).add(KEPT, DataTypes.BooleanType, false);

    /** Kept rows ({@link #ROW}) and rejected records ({@link #REJECTED}) of one conversion. */
    public record Conversion(Dataset<Row> data, Dataset<Row> rejected) {
    }

    /** A JSONL file and the name of the input it belongs to. */
    public record JsonlFile(String input, String uri) implements java.io.Serializable {
    }

    private SftRows() {
    }

    /**
     * The records of JSONL files (plain, or compressed with a suffix Hadoop knows, e.g. .gz), one task per file: each
     * non-blank line with its 1-based line number as the locator ({@code line:N}), as the filter stage numbers them.
     * A file whose first non-blank character is '[' is one JSON array (how Alpaca's alpaca_data.json ships): each
     * element is a record ({@code item:N}, from 0); if the array breaks off, what follows is one unreadable record.
     */
    public static Dataset<Row> jsonLines(SparkSession spark, List<JsonlFile> files) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        SerializableHadoopConf conf = new SerializableHadoopConf(spark.sparkContext().hadoopConfiguration());
        JavaRDD<Row> lines = jsc.parallelize(files, Math.max(1, files.size())).flatMap(f -> {
            List<Row> out = new ArrayList<>();
            try (BufferedReader in = new BufferedReader(new InputStreamReader(
                    InputFiles.open(f.uri(), conf.get(), true), StandardCharsets.UTF_8))) {
                if (startsWithArray(in)) {
                    readArray(in, f, out);
                    return out.iterator();
                }
                long number = 0;
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    number++;
                    if (number == 1 && line.startsWith("\uFEFF")) {
                        line = line.substring(1);
                    }
                    if (!line.isBlank()) {
                        out.add(RowFactory.create(f.input(), f.uri(), "line:" + number, line));
                    }
                }
            } catch (IOException e) {
                // a damaged file (a truncated .gz, say) keeps the records read before the damage, and the damage
                // itself becomes one unreadable record rather than failing the job
                out.add(RowFactory.create(f.input(), f.uri(), "read-error", "cannot read the file after "
                        + out.size() + " records: " + e));
            }
            return out.iterator();
        });
        return spark.createDataFrame(lines, RECORDS);
    }

    /** Whether the first character that is not whitespace or a byte-order mark is '[' (the stream is reset). */
    private static boolean startsWithArray(BufferedReader in) throws IOException {
        in.mark(1 << 16);
        try {
            for (int i = 0; i < (1 << 16) - 1; i++) {
                int c = in.read();
                if (c < 0) {
                    return false;
                }
                if (c != '\uFEFF' && !Character.isWhitespace(c)) {
                    return c == '[';
                }
            }
            return false;
        } finally {
            in.reset();
        }
    }

    private static void readArray(BufferedReader in, JsonlFile f, List<Row> out) throws IOException {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        long item = 0;
        try (com.fasterxml.jackson.core.JsonParser parser = json.getFactory().createParser(in)) {
            try {
                parser.nextToken(); // [
                while (parser.nextToken() != com.fasterxml.jackson.core.JsonToken.END_ARRAY) {
                    com.fasterxml.jackson.databind.JsonNode node = json.readTree(parser);
                    out.add(RowFactory.create(f.input(), f.uri(), "item:" + item++, json.writeValueAsString(node)));
                }
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                out.add(RowFactory.create(f.input(), f.uri(), "item:" + item, "broken JSON array at item " + item
                        + ": " + e.getOriginalMessage()));
            }
        }
    }

    /**
     * Parquet rows of one input (the SFT contract itself, e.g. rephrase qa's output, or any format's fields as
     * columns) as records: every column as JSON, the file, and a hash of the row as its locator.
     */
    public static Dataset<Row> parquetRecords(Dataset<Row> parquet, String input) {
        Column[] all = Arrays.stream(parquet.columns()).map(c -> col("`" + c + "`")).toArray(Column[]::new);
        Column json = to_json(struct(all));
        return parquet.select(lit(input).as("input"), input_file_name().as("file"),
                concat(lit("row:"), substring(sha2(json, 256), 1, 32)).as("record"), json.as("json"));
    }

    /** Every record's outcome ({@link #OUTCOMES}); cache it when reading it more than once. */
    public static Dataset<Row> outcomes(Dataset<Row> records, SftFormat format) {
        JavaRDD<Row> converted = records.select("input", "file", "record", "json").javaRDD().map(r -> {
            String input = r.getString(0);
            String json = r.getString(3);
            return outcomeRow(SftConverter.convert(json, format, input), input, r.getString(1), r.getString(2), json);
        });
        return records.sparkSession().createDataFrame(converted, OUTCOMES);
    }

    /** Converts records ({@link #RECORDS}); cache the inputs or the result when reading both outputs. */
    public static Conversion convert(Dataset<Row> records, SftFormat format) {
        Dataset<Row> all = outcomes(records, format);
        return new Conversion(all.where(col(KEPT)).select(columns(ROW)),
                all.where(col(KEPT).equalTo(false)).select(columns(REJECTED)));
    }

    private static Row outcomeRow(SftOutcome o, String input, String file, String record, String json) {
        Object[] v = new Object[OUTCOMES.size()];
        if (o.kept()) {
            Object[] row = o.row().values();
            System.arraycopy(row, 0, v, 0, row.length);
        } else {
            v[0] = o.id();
            v[1] = new Row[0];
            v[2] = o.source();
        }
        int at = ROW.size();
        v[at] = input;
        v[at + 1] = file;
        v[at + 2] = record;
        v[at + 3] = json;
        v[at + 4] = o.format() == null ? null : o.format().code();
        if (!o.kept()) {
            v[at + 5] = SftRejectReasons.STAGE;
            v[at + 6] = o.reason();
            v[at + 7] = o.detail();
        }
        v[at + 8] = o.kept();
        return RowFactory.create(v);
    }

    /** ROW's columns, then REJECTED's that ROW lacks (nullable, as kept rows leave some empty). */
    private static StructType merged(StructType row, StructType rejected) {
        StructType out = row;
        for (var f : rejected.fields()) {
            if (!Arrays.asList(row.fieldNames()).contains(f.name())) {
                out = out.add(f.name(), f.dataType(), true);
            }
        }
        return out;
    }

    /** The columns of a schema, for a select. */
    public static Column[] columns(StructType schema) {
        return Arrays.stream(schema.fieldNames()).map(org.apache.spark.sql.functions::col).toArray(Column[]::new);
    }
}
