package ai.refinery.training.generate;

import ai.refinery.core.config.ConfigError;
import ai.refinery.training.decode.Completion;
import ai.refinery.training.decode.PromptTooLongException;
import ai.refinery.training.decode.SamplingSettings;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;

/**
 * Completes a table of prompts with a model, as a Spark job: the model (model.zip bytes and tokenizer.json) is
 * broadcast once and loaded once per partition, and each partition decodes {@code batchSize} prompts at once.
 * Every prompt gets the same sampling settings and seed and its own random generator, so a row's completion
 * depends only on its prompt: the output is the same whatever the partitioning and batching.
 *
 * <p>A null prompt, a prompt longer than the context or a failed generation is a row of rejected/ with
 * stage "generate" and a reason, never a missing row.
 */
public final class GenerateJob {
    public static final String STAGE = "generate";
    public static final String NULL_PROMPT = "null_prompt";
    public static final String PROMPT_TOO_LONG = "prompt_too_long";
    public static final String GENERATION_FAILED = "generation_failed";

    static final StructType ALL = new StructType(new StructField[] {
            DataTypes.createStructField("id", DataTypes.StringType, true),
            DataTypes.createStructField("prompt", DataTypes.StringType, true),
            DataTypes.createStructField("completion", DataTypes.StringType, true),
            DataTypes.createStructField("prompt_tokens", DataTypes.IntegerType, true),
            DataTypes.createStructField("completion_tokens", DataTypes.IntegerType, true),
            DataTypes.createStructField("finish_reason", DataTypes.StringType, true),
            DataTypes.createStructField("model_id", DataTypes.StringType, false),
            DataTypes.createStructField("settings", DataTypes.StringType, false),
            DataTypes.createStructField("stage", DataTypes.StringType, true),
            DataTypes.createStructField("reason", DataTypes.StringType, true),
            DataTypes.createStructField("detail", DataTypes.StringType, true),
    });

    private GenerateJob() {
    }

    /** The generated rows and the rejected prompts; call {@link #release()} when written. */
    public record Result(Dataset<Row> all, boolean hasId) {
        public Dataset<Row> data() {
            List<String> cols = new ArrayList<>(hasId ? List.of("id") : List.of());
            cols.addAll(List.of("prompt", "completion", "prompt_tokens", "completion_tokens", "finish_reason",
                    "model_id", "settings"));
            return all.filter(col("reason").isNull()).select(cols.stream().map(c -> col(c)).toArray(org.apache.spark.sql.Column[]::new));
        }

        public Dataset<Row> rejected() {
            List<String> cols = new ArrayList<>(hasId ? List.of("id") : List.of());
            cols.addAll(List.of("prompt", "model_id", "settings", "stage", "reason", "detail"));
            return all.filter(col("reason").isNotNull()).select(cols.stream().map(c -> col(c)).toArray(org.apache.spark.sql.Column[]::new));
        }

        /** prompts_in, completions_out, rejected, rejected.&lt;reason&gt;, finish_reason.&lt;reason&gt;, tokens. */
        public Map<String, Long> stats() {
            Map<String, Long> s = new LinkedHashMap<>();
            s.put("prompts_in", all.count());
            Dataset<Row> ok = all.filter(col("reason").isNull());
            s.put("completions_out", ok.count());
            s.put("rejected", all.count() - s.get("completions_out"));
            for (Row r : all.filter(col("reason").isNotNull()).groupBy("reason").count().orderBy("reason").collectAsList()) {
                s.put("rejected." + r.getString(0), r.getLong(1));
            }
            for (Row r : ok.groupBy("finish_reason").count().orderBy("finish_reason").collectAsList()) {
                s.put("finish_reason." + r.getString(0), r.getLong(1));
            }
            Row sums = ok.agg(org.apache.spark.sql.functions.sum("prompt_tokens"),
                    org.apache.spark.sql.functions.sum("completion_tokens")).first();
            s.put("prompt_tokens", sums.isNullAt(0) ? 0L : sums.getLong(0));
            s.put("completion_tokens", sums.isNullAt(1) ? 0L : sums.getLong(1));
            return s;
        }

        public void release() {
            all.unpersist();
        }
    }

    /**
     * @param prompts      rows with a string column {@code promptColumn} (and optionally an {@code id} column,
     *                     carried through)
     * @param modelZip     the model's model.zip bytes
     * @param tokenizer    the model's tokenizer.json text
     * @param batchSize    prompts decoded together in a partition (the rows do not depend on it)
     */
    public static Result run(SparkSession spark, Dataset<Row> prompts, String promptColumn, byte[] modelZip,
                             String tokenizer, String modelId, SamplingSettings settings, int batchSize) {
        if (batchSize < 1) {
            throw ConfigError.forKey(SamplingSettings.SECTION + ".batch_size", "must be at least 1, got " + batchSize);
        }
        if (!Arrays.asList(prompts.columns()).contains(promptColumn)) {
            throw new IllegalArgumentException("the input has no column '" + promptColumn + "' (columns: "
                    + String.join(", ", prompts.columns()) + ")");
        }
        boolean hasId = Arrays.asList(prompts.columns()).contains("id");
        Dataset<Row> in = prompts.select(hasId ? col("id").cast("string") : org.apache.spark.sql.functions.lit(null)
                .cast("string").as("id"), col(promptColumn).cast("string").as("prompt"));
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<byte[]> model = jsc.broadcast(modelZip);
        Broadcast<String> tok = jsc.broadcast(tokenizer);
        String settingsJson = settings.toJson();
        MapPartitionsFunction<Row, Row> generate = rows -> {
            if (!rows.hasNext()) {
                return rows;
            }
            Generator g = ModelBundle.fromBytes(model.value(), tok.value(), modelId).generator(batchSize);
            return new Iterator<>() {
                private final java.util.ArrayDeque<Row> done = new java.util.ArrayDeque<>();

                @Override
                public boolean hasNext() {
                    return !done.isEmpty() || rows.hasNext();
                }

                @Override
                public Row next() {
                    if (done.isEmpty()) {
                        List<Row> batch = new ArrayList<>(batchSize);
                        while (batch.size() < batchSize && rows.hasNext()) {
                            batch.add(rows.next());
                        }
                        done.addAll(completeBatch(g, batch, settings, modelId, settingsJson));
                    }
                    return done.removeFirst();
                }
            };
        };
        Dataset<Row> all = in.mapPartitions(generate, Encoders.row(ALL));
        all.persist(StorageLevel.MEMORY_AND_DISK());
        return new Result(all, hasId);
    }

    /** Rows (id, prompt) completed together; one output row per input row, in their order. */
    static List<Row> completeBatch(Generator g, List<Row> batch, SamplingSettings s, String modelId, String settingsJson) {
        Row[] out = new Row[batch.size()];
        List<Integer> index = new ArrayList<>();
        List<int[]> ids = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            String id = batch.get(i).getString(0);
            String prompt = batch.get(i).getString(1);
            if (prompt == null) {
                out[i] = rejected(id, null, modelId, settingsJson, NULL_PROMPT, "the prompt is null");
                continue;
            }
            int[] p = g.encode(prompt);
            if (p.length > g.contextLength()) {
                out[i] = rejected(id, prompt, modelId, settingsJson, PROMPT_TOO_LONG,
                        new PromptTooLongException(p.length, g.contextLength()).getMessage());
                continue;
            }
            index.add(i);
            ids.add(p);
        }
        List<Completion> done = null;
        try {
            done = g.completeAll(ids, s);
        } catch (RuntimeException e) {
            // Find the prompt that failed: the others still get their completion.
            for (int j = 0; j < index.size(); j++) {
                Row r = batch.get(index.get(j));
                try {
                    out[index.get(j)] = completed(r.getString(0), r.getString(1), g.completeAll(List.of(ids.get(j)), s).get(0),
                            modelId, settingsJson);
                } catch (RuntimeException x) {
                    out[index.get(j)] = rejected(r.getString(0), r.getString(1), modelId, settingsJson, GENERATION_FAILED,
                            String.valueOf(x));
                }
            }
        }
        if (done != null) {
            for (int j = 0; j < index.size(); j++) {
                Row r = batch.get(index.get(j));
                out[index.get(j)] = completed(r.getString(0), r.getString(1), done.get(j), modelId, settingsJson);
            }
        }
        return List.of(out);
    }

    private static Row completed(String id, String prompt, Completion c, String modelId, String settingsJson) {
        return RowFactory.create(id, prompt, c.text(), c.promptTokens(), c.completionTokens(), c.finishReason().wire(),
                modelId, settingsJson, null, null, null);
    }

    private static Row rejected(String id, String prompt, String modelId, String settingsJson, String reason, String detail) {
        return RowFactory.create(id, prompt, null, null, null, null, modelId, settingsJson, STAGE, reason, detail);
    }
}
