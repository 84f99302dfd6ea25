package ai.refinery.pipeline.sft;

import ai.refinery.core.sft.SftFormat;
import ai.refinery.core.sft.SftRejectReasons;
import ai.refinery.core.sft.SftRow;
import ai.refinery.pipeline.read.InputFiles;
import ai.refinery.core.spark.SerializableHadoopConf;
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
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
 * contract in {@code data/} and rejected records with {@code stage}, {@code reason} and {@code detail} in
 * {@code rejected/}. Every record ends up in exactly one of them. The per-record logic is {@link SftConverter}.
 */
public final class SftRows {
    /** data/: the SFT row contract. */
    public static final StructType ROW = SftRow.SCHEMA;

    /** rejected/: the record's id, where it came from, the record itself as JSON, and why. */
    public static final StructType REJECTED = new StructType()
            .add("id", DataTypes.StringType, false)
            .add("source", DataTypes.StringType, false)
            .add("record", DataTypes.StringType, false)
            .add("input", DataTypes.StringType, false)
            .add("stage", DataTypes.StringType, false)
            .add("reason", DataTypes.StringType, false)
            .add("detail", DataTypes.StringType, true);

    /** Input records: the source (file), the record's locator in it, and the record as JSON text. */
    public static final StructType RECORDS = new StructType()
            .add("source", DataTypes.StringType, false)
            .add("record", DataTypes.StringType, false)
            .add("json", DataTypes.StringType, false);

    private static final String KEPT = "_kept";
    private static final StructType OUTCOMES = merged(ROW, REJECTED).add(KEPT, DataTypes.BooleanType, false);

    /** Kept rows and rejected records of one conversion; {@link #stats()} counts them. */
    public record Conversion(Dataset<Row> data, Dataset<Row> rejected) {
        /** records_in, rows_out, rejected and rejected.&lt;reason&gt; (runs Spark jobs). */
        public Map<String, Object> stats() {
            long out = data.count();
            Map<String, Object> reasons = new LinkedHashMap<>();
            long rejectedTotal = 0;
            for (Row r : rejected.groupBy(col("reason")).count().orderBy(col("reason")).collectAsList()) {
                reasons.put("rejected." + r.getString(0), r.getLong(1));
                rejectedTotal += r.getLong(1);
            }
            Map<String, Object> stats = new LinkedHashMap<>();
            stats.put("records_in", out + rejectedTotal);
            stats.put("rows_out", out);
            stats.put("rejected", rejectedTotal);
            stats.putAll(reasons);
            return stats;
        }
    }

    private SftRows() {
    }

    /**
     * The non-blank lines of JSONL files (plain, or compressed with a suffix Hadoop knows, e.g. .gz), one task
     * per file, each with its 1-based line number as the locator ({@code line:N}), as the filter stage numbers them.
     */
    public static Dataset<Row> jsonLines(SparkSession spark, List<String> files) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        SerializableHadoopConf conf = new SerializableHadoopConf(spark.sparkContext().hadoopConfiguration());
        JavaRDD<Row> lines = jsc.parallelize(files, Math.max(1, files.size())).flatMap(uri -> {
            List<Row> out = new ArrayList<>();
            try (BufferedReader in = new BufferedReader(new InputStreamReader(
                    InputFiles.open(uri, conf.get(), true), StandardCharsets.UTF_8))) {
                long number = 0;
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    number++;
                    if (number == 1 && line.startsWith("\uFEFF")) {
                        line = line.substring(1);
                    }
                    if (!line.isBlank()) {
                        out.add(RowFactory.create(uri, "line:" + number, line));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + uri, e);
            }
            return out.iterator();
        });
        return spark.createDataFrame(lines, RECORDS);
    }

    /**
     * Parquet rows (the SFT contract itself, e.g. rephrase qa's output, or any format's fields as columns) as
     * records: every column as JSON, the file as the source and a hash of the row as its locator (such rows
     * normally carry their own id, which then wins).
     */
    public static Dataset<Row> parquetRecords(Dataset<Row> parquet) {
        Column[] all = Arrays.stream(parquet.columns()).map(c -> col("`" + c + "`")).toArray(Column[]::new);
        Column json = to_json(struct(all));
        return parquet.select(input_file_name().as("source"),
                concat(lit("row:"), substring(sha2(json, 256), 1, 32)).as("record"), json.as("json"));
    }

    /** Converts records ({@link #RECORDS}); cache the inputs or the result when reading both outputs. */
    public static Conversion convert(Dataset<Row> records, SftFormat format) {
        StructType outcomes = OUTCOMES;
        JavaRDD<Row> converted = records.select("source", "record", "json").javaRDD().map(r -> {
            String source = r.isNullAt(0) ? "" : r.getString(0);
            String record = r.getString(1);
            String json = r.getString(2);
            return outcomeRow(SftConverter.convert(json, format, source, record), record, json);
        });
        Dataset<Row> all = records.sparkSession().createDataFrame(converted, outcomes);
        Dataset<Row> data = all.where(col(KEPT)).select(columns(ROW));
        Dataset<Row> rejected = all.where(col(KEPT).equalTo(false)).select(columns(REJECTED));
        return new Conversion(data, rejected);
    }

    private static Row outcomeRow(SftOutcome o, String record, String json) {
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
        v[at] = record;
        v[at + 1] = json;
        v[at + 2] = SftRejectReasons.STAGE;
        v[at + 3] = o.reason();
        v[at + 4] = o.detail();
        v[at + 5] = o.kept();
        return RowFactory.create(v);
    }

    /** ROW's columns, then REJECTED's that ROW lacks (nullable, as kept rows leave them empty). */
    private static StructType merged(StructType row, StructType rejected) {
        StructType out = row;
        for (var f : rejected.fields()) {
            if (!Arrays.asList(row.fieldNames()).contains(f.name())) {
                out = out.add(f.name(), f.dataType(), true);
            }
        }
        return out;
    }

    private static Column[] columns(StructType schema) {
        return Arrays.stream(schema.fieldNames()).map(org.apache.spark.sql.functions::col).toArray(Column[]::new);
    }
}
