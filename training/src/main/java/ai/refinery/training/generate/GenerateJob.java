package ai.refinery.training.generate;

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
 * broadcast once and loaded once per partition. Every prompt gets the same sampling settings and seed, so a
 * row's completion depends only on its prompt: the output is the same whatever the partitioning.
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
     */
    public static Result run(SparkSession spark, Dataset<Row> prompts, String promptColumn, byte[] modelZip,
                             String tokenizer, String modelId, SamplingSettings settings) {
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
            Generator g = ModelBundle.fromBytes(model.value(), tok.value(), modelId).generator();
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return rows.hasNext();
                }

                @Override
                public Row next() {
                    Row r = rows.next();
                    return complete(g, r.getString(0), r.getString(1), settings, modelId, settingsJson);
                }
            };
        };
        Dataset<Row> all = in.mapPartitions(generate, Encoders.row(ALL));
        all.persist(StorageLevel.MEMORY_AND_DISK());
        return new Result(all, hasId);
    }

    static Row complete(Generator g, String id, String prompt, SamplingSettings s, String modelId, String settingsJson) {
        if (prompt == null) {
            return rejected(id, null, modelId, settingsJson, NULL_PROMPT, "the prompt is null");
        }
        try {
            Completion c = g.complete(prompt, s);
            return RowFactory.create(id, prompt, c.text(), c.promptTokens(), c.completionTokens(),
                    c.finishReason().wire(), modelId, settingsJson, null, null, null);
        } catch (PromptTooLongException e) {
            return rejected(id, prompt, modelId, settingsJson, PROMPT_TOO_LONG, e.getMessage());
        } catch (RuntimeException e) {
            return rejected(id, prompt, modelId, settingsJson, GENERATION_FAILED, String.valueOf(e));
        }
    }

    private static Row rejected(String id, String prompt, String modelId, String settingsJson, String reason, String detail) {
        return RowFactory.create(id, prompt, null, null, null, null, modelId, settingsJson, STAGE, reason, detail);
    }
}
