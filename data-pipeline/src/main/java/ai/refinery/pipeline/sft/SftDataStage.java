package ai.refinery.pipeline.sft;

import ai.refinery.core.config.NoInputError;
import ai.refinery.core.outcome.Counts;
import ai.refinery.core.output.Layout;
import ai.refinery.core.output.Output;
import ai.refinery.core.output.OutputSettings;
import ai.refinery.core.sft.SftRejectReasons;
import ai.refinery.core.sft.SftSettings;
import ai.refinery.core.spark.ParquetInputs;
import ai.refinery.core.spark.ShufflePartitions;
import ai.refinery.core.stage.Stage;
import ai.refinery.core.stage.StageContext;
import ai.refinery.core.stage.StageResult;
import com.typesafe.config.Config;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.map;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

/**
 * The sft-data stage: instruction data in any supported format (JSONL of OpenAI chat, Alpaca, ShareGPT or
 * prompt/completion records; Parquet with those fields or already in the SFT row contract) to the SFT row contract
 * in data/, every other record in rejected/ with a reason.
 *
 * <ol>
 *   <li>Each record is converted and checked by {@link SftConverter} (stage {@code sft_data}: unreadable, unknown
 *   role, roles out of order, empty or no assistant turn).</li>
 *   <li>Rows sharing an id keep one (the smallest record text, so the choice does not depend on the partitioning or
 *   the files' order); the others are {@code duplicate_id}.</li>
 *   <li>With {@code sft.mix.sources} set, each input gives the rows {@link SftMix#plan} allots it, those with the
 *   smallest seeded hash of their id; the rest are rejected by stage {@code sft_mix} ({@code over_cap},
 *   {@code over_weight}).</li>
 * </ol>
 * Every record is in data/ or rejected/: rows_in = rows_out + rows_rejected.
 */
public final class SftDataStage implements Stage {
    private static final Logger LOG = LoggerFactory.getLogger(SftDataStage.class);
    private static final String UNKNOWN_FORMAT = "unknown";

    private final List<SftInputs.Named> inputs;

    public SftDataStage(List<String> inputs) {
        this.inputs = SftInputs.parse(inputs);
    }

    @Override
    public void check(Config config) {
        SftSettings.from(config);
        OutputSettings.files(config);
        SftMix.from(config).checkInputs(inputNames());
    }

    private List<String> inputNames() {
        return inputs.stream().map(SftInputs.Named::name).toList();
    }

    @Override
    public StageResult run(StageContext context) {
        SparkSession spark = context.spark();
        Config config = context.config();
        SftSettings settings = SftSettings.from(config);
        SftMix mix = SftMix.from(config);
        int files = OutputSettings.files(config);

        List<SftInputs.Files> resolved = SftInputs.resolve(inputs, context.hadoop());
        List<String> unmatched = new ArrayList<>();
        List<String> all = new ArrayList<>();
        for (SftInputs.Files f : resolved) {
            f.unmatched().forEach(u -> LOG.warn("Input {} matches no file: {}", f.name(), u));
            unmatched.addAll(f.unmatched());
            all.addAll(f.jsonl());
            all.addAll(f.parquet());
        }
        if (all.isEmpty()) {
            throw new NoInputError("no input files found for --input " + String.join(", ", inputNames()));
        }
        ShufflePartitions.fit(spark, ParquetInputs.bytes(context.hadoop(), all));

        Dataset<Row> outcomes = SftRows.outcomes(records(spark, resolved), settings.format())
                .persist(StorageLevel.MEMORY_AND_DISK());
        Dataset<Row> decided = null;
        try {
            Dataset<Row> unique = withDuplicatesRejected(outcomes);
            List<SftMix.Quota> plan = null;
            if (mix.enabled()) {
                plan = mix.plan(available(unique));
                for (SftMix.Quota q : plan) {
                    if (q.limit() == 0) {
                        throw new NoInputError("--input " + q.name() + ": no valid instruction rows for the mix");
                    }
                }
                unique = mixed(unique, mix, plan);
            }
            decided = unique.persist(StorageLevel.MEMORY_AND_DISK());
            List<Row> tally = decided.groupBy(col("input"), col("format"), col("stage"), col("reason"), col(SftRows.KEPT))
                    .count().collectAsList();
            long rowsIn = tally.stream().mapToLong(r -> r.getLong(5)).sum();
            if (rowsIn == 0) {
                throw new NoInputError("no readable input: " + all.size() + " file(s) held no records");
            }
            Output out = context.output();
            LOG.info("Writing instruction rows to data/ and rejected records to rejected/");
            Dataset<Row> data = decided.where(col(SftRows.KEPT)).select(SftRows.columns(SftRows.ROW)).orderBy(col("id"));
            out.writeParquet(Layout.DATA, files > 0 ? data.coalesce(files) : data);
            Dataset<Row> rejected = decided.where(not(col(SftRows.KEPT))).select(SftRows.columns(SftRows.REJECTED))
                    .orderBy(col("stage"), col("reason"), col("id"), col("file"), col("record"));
            out.writeParquet(Layout.REJECTED, files > 0 ? rejected.coalesce(files) : rejected);
            out.manifest().put("inputs", describeInputs(resolved));
            return result(tally, resolved, unmatched, mix, plan);
        } finally {
            if (decided != null) {
                decided.unpersist();
            }
            outcomes.unpersist();
        }
    }

    /** Every input's records: JSONL lines in one task per file, Parquet rows read per input. */
    private static Dataset<Row> records(SparkSession spark, List<SftInputs.Files> inputs) {
        List<SftRows.JsonlFile> jsonl = new ArrayList<>();
        Dataset<Row> records = null;
        for (SftInputs.Files f : inputs) {
            f.jsonl().forEach(uri -> jsonl.add(new SftRows.JsonlFile(f.name(), uri)));
            if (!f.parquet().isEmpty()) {
                Dataset<Row> rows = SftRows.parquetRecords(spark.read().option("mergeSchema", "true")
                        .parquet(f.parquet().toArray(new String[0])), f.name());
                records = records == null ? rows : records.unionByName(rows);
            }
        }
        if (!jsonl.isEmpty()) {
            Dataset<Row> lines = SftRows.jsonLines(spark, jsonl);
            records = records == null ? lines : lines.unionByName(records);
        }
        return records;
    }

    /** Kept rows whose id an earlier kept row has (ordered by record text, file, locator) become duplicate_id. */
    private static Dataset<Row> withDuplicatesRejected(Dataset<Row> outcomes) {
        WindowSpec byId = Window.partitionBy(col("id"), col(SftRows.KEPT)).orderBy(col("json"), col("file"), col("record"));
        Column duplicate = col(SftRows.KEPT).and(row_number().over(byId).gt(1));
        return reject(outcomes.withColumn("_duplicate", duplicate), col("_duplicate"), lit(SftRejectReasons.STAGE),
                lit(SftRejectReasons.DUPLICATE_ID), lit("another row has this id (the same conversation from the same "
                        + "source, or a repeated id)")).drop("_duplicate");
    }

    /** Valid rows per input. */
    private static Map<String, Long> available(Dataset<Row> rows) {
        Map<String, Long> out = new TreeMap<>();
        for (Row r : rows.where(col(SftRows.KEPT)).groupBy(col("input")).count().collectAsList()) {
            out.put(r.getString(0), r.getLong(1));
        }
        return out;
    }

    /** Keeps each input's quota of rows, smallest seeded hash of the id first; the rest over_cap or over_weight. */
    private static Dataset<Row> mixed(Dataset<Row> rows, SftMix mix, List<SftMix.Quota> plan) {
        List<Column> quotas = new ArrayList<>();
        List<Column> caps = new ArrayList<>();
        for (SftMix.Quota q : plan) {
            quotas.add(lit(q.name()));
            quotas.add(lit(q.rows()));
            caps.add(lit(q.name()));
            caps.add(lit(q.cap()));
        }
        WindowSpec order = Window.partitionBy(col("input"), col(SftRows.KEPT))
                .orderBy(xxhash64(lit(mix.seed()), col("id")), col("id"));
        Dataset<Row> ranked = rows.withColumn("_rank", row_number().over(order))
                .withColumn("_quota", element_at(map(quotas.toArray(new Column[0])), col("input")))
                .withColumn("_cap", element_at(map(caps.toArray(new Column[0])), col("input")));
        Column live = col(SftRows.KEPT);
        Dataset<Row> capped = reject(ranked, live.and(col("_rank").gt(col("_cap"))), lit(SftMix.STAGE),
                lit(SftMix.OVER_CAP), concat(lit("beyond the cap of input "), col("input")));
        Dataset<Row> weighted = reject(capped, col(SftRows.KEPT).and(col("_rank").gt(col("_quota"))), lit(SftMix.STAGE),
                lit(SftMix.OVER_WEIGHT), concat(lit("beyond the share of input "), col("input"),
                        lit(" that sft.mix.sources' weights allow")));
        return weighted.drop("_rank", "_quota", "_cap");
    }

    /** Rows where the condition holds are rejected with the stage, reason and detail given. */
    private static Dataset<Row> reject(Dataset<Row> rows, Column condition, Column stage, Column reason, Column detail) {
        return rows.withColumn("stage", when(condition, stage).otherwise(col("stage")))
                .withColumn("reason", when(condition, reason).otherwise(col("reason")))
                .withColumn("detail", when(condition, detail).otherwise(col("detail")))
                .withColumn(SftRows.KEPT, when(condition, lit(false)).otherwise(col(SftRows.KEPT)));
    }

    private static List<Map<String, Object>> describeInputs(List<SftInputs.Files> resolved) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (SftInputs.Files f : resolved) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", f.name());
            m.put("jsonl", f.jsonl());
            m.put("parquet", f.parquet());
            out.add(m);
        }
        return out;
    }

    /** Counts and figures from the tally (input, format, stage, reason, kept, rows). */
    private static StageResult result(List<Row> tally, List<SftInputs.Files> resolved, List<String> unmatched,
                                      SftMix mix, List<SftMix.Quota> plan) {
        long rowsIn = 0;
        long rowsOut = 0;
        Map<String, Map<String, Long>> rejected = new TreeMap<>();
        Map<String, long[]> byFormat = new TreeMap<>();
        Map<String, long[]> byInput = new LinkedHashMap<>();
        resolved.forEach(f -> byInput.put(f.name(), new long[2]));
        for (Row r : tally) {
            long n = r.getLong(5);
            boolean kept = r.getBoolean(4);
            String format = r.isNullAt(1) ? UNKNOWN_FORMAT : r.getString(1);
            rowsIn += n;
            byFormat.computeIfAbsent(format, f -> new long[2])[0] += n;
            byInput.computeIfAbsent(r.getString(0), f -> new long[2])[0] += n;
            if (kept) {
                rowsOut += n;
                byFormat.get(format)[1] += n;
                byInput.get(r.getString(0))[1] += n;
            } else {
                rejected.computeIfAbsent(r.getString(2), s -> new TreeMap<>()).merge(r.getString(3), n, Long::sum);
            }
        }
        Counts counts = Counts.of(rowsIn, rowsOut, rejected);
        Map<String, Object> formats = inOut(byFormat);
        Map<String, Object> inputs = inOut(byInput);
        for (SftInputs.Files f : resolved) {
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) inputs.get(f.name());
            m.put("files", f.count());
        }
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("formats", formats);
        figures.put("inputs", inputs);
        figures.put("unmatched_inputs", unmatched);
        Map<String, Object> headline = new LinkedHashMap<>();
        headline.put("formats", formats);
        if (plan != null) {
            Map<String, Object> described = mix.describe(plan);
            figures.put("mix", described);
            headline.put("mix", described);
        }
        return new StageResult(counts, figures, headline, String.format(Locale.ROOT,
                "%,d records in, %,d instruction rows out, %,d rejected", rowsIn, rowsOut, counts.rowsRejected()));
    }

    private static Map<String, Object> inOut(Map<String, long[]> counts) {
        Map<String, Object> out = new LinkedHashMap<>();
        counts.forEach((key, c) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("rows_in", c[0]);
            m.put("rows_out", c[1]);
            out.put(key, m);
        });
        return out;
    }
}
