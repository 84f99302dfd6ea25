package ai.refinery.training.generate;

import ai.refinery.core.spark.Batches;
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
 * <p>Chat mode: the prompts are conversations (a {@code messages} column of {role, content}); each is formatted by
 * {@link ai.refinery.training.tokenizer.ChatTemplate#generationPrompt} and its answer, the next assistant turn,
 * ends at {@code <|end|>}.
 *
 * <p>With {@link SamplingSettings#logprobs()} at 0 or more, every row carries its generated token ids, their
 * log-probabilities and the N most probable alternatives at each position.
 *
 * <p>A null prompt, a conversation that cannot be formatted, a prompt longer than the context or a failed
 * generation is a row of rejected/ with stage "generate" and a reason, never a missing row.
 */
public final class GenerateJob {
    public static final String STAGE = "generate";
    public static final String NULL_PROMPT = "null_prompt";
    public static final String PROMPT_TOO_LONG = "prompt_too_long";
    public static final String GENERATION_FAILED = "generation_failed";
    public static final String INVALID_CONVERSATION = "invalid_conversation";
    public static final String MESSAGES = "messages";

    static final StructType ALTERNATIVE = new StructType()
            .add("id", DataTypes.IntegerType, false)
            .add("token", DataTypes.StringType, false)
            .add("logprob", DataTypes.DoubleType, false);

    static final StructType ALL = new StructType(new StructField[] {
            DataTypes.createStructField("id", DataTypes.StringType, true),
            DataTypes.createStructField("prompt", DataTypes.StringType, true),
            DataTypes.createStructField(MESSAGES, DataTypes.createArrayType(ScoreJob.MESSAGE, true), true),
            DataTypes.createStructField("completion", DataTypes.StringType, true),
            DataTypes.createStructField("prompt_tokens", DataTypes.IntegerType, true),
            DataTypes.createStructField("completion_tokens", DataTypes.IntegerType, true),
            DataTypes.createStructField("finish_reason", DataTypes.StringType, true),
            DataTypes.createStructField("token_ids", DataTypes.createArrayType(DataTypes.IntegerType, false), true),
            DataTypes.createStructField("token_logprobs", DataTypes.createArrayType(DataTypes.DoubleType, false), true),
            DataTypes.createStructField("top_logprobs", DataTypes.createArrayType(
                    DataTypes.createArrayType(ALTERNATIVE, false), false), true),
            DataTypes.createStructField("model_id", DataTypes.StringType, false),
            DataTypes.createStructField("settings", DataTypes.StringType, false),
            DataTypes.createStructField("stage", DataTypes.StringType, true),
            DataTypes.createStructField("reason", DataTypes.StringType, true),
            DataTypes.createStructField("detail", DataTypes.StringType, true),
    });

    private GenerateJob() {
    }

    /** The generated rows and the rejected prompts; call {@link #release()} when written. */
    public record Result(Dataset<Row> all, boolean hasId, boolean chat) {
        public Result(Dataset<Row> all, boolean hasId) {
            this(all, hasId, false);
        }

        public Dataset<Row> data() {
            List<String> cols = new ArrayList<>(hasId ? List.of("id") : List.of());
            cols.add(chat ? MESSAGES : "prompt");
            cols.addAll(List.of("completion", "prompt_tokens", "completion_tokens", "finish_reason", "token_ids",
                    "token_logprobs", "top_logprobs", "model_id", "settings"));
            return all.filter(col("reason").isNull()).select(cols.stream().map(c -> col(c)).toArray(org.apache.spark.sql.Column[]::new));
        }

        public Dataset<Row> rejected() {
            List<String> cols = new ArrayList<>(hasId ? List.of("id") : List.of());
            cols.add(chat ? MESSAGES : "prompt");
            cols.addAll(List.of("model_id", "settings", "stage", "reason", "detail"));
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
        return run(spark, prompts, promptColumn, false, modelZip, tokenizer, modelId, settings, batchSize);
    }

    /**
     * @param chat true: the prompts are the conversations of the {@code messages} column (promptColumn unused),
     *             answered as the next assistant turn ending at {@code <|end|>}
     */
    public static Result run(SparkSession spark, Dataset<Row> prompts, String promptColumn, boolean chat,
                             byte[] modelZip, String tokenizer, String modelId, SamplingSettings settings, int batchSize) {
        if (batchSize < 1) {
            throw ConfigError.forKey(SamplingSettings.SECTION + ".batch_size", "must be at least 1, got " + batchSize);
        }
        String column = chat ? MESSAGES : promptColumn;
        if (!Arrays.asList(prompts.columns()).contains(column)) {
            throw new IllegalArgumentException("the input has no column '" + column + "' (columns: "
                    + String.join(", ", prompts.columns()) + ")" + (chat ? "; --chat reads conversations from 'messages'" : ""));
        }
        boolean hasId = Arrays.asList(prompts.columns()).contains("id");
        org.apache.spark.sql.Column id = hasId ? col("id").cast("string").as("id")
                : org.apache.spark.sql.functions.lit(null).cast("string").as("id");
        Dataset<Row> in;
        try {
            in = chat ? prompts.select(id, org.apache.spark.sql.functions.lit(null).cast("string").as("prompt"),
                    // By name, whatever the order of the input's struct fields (JSON gives content before role).
                    org.apache.spark.sql.functions.expr("transform(messages, m -> named_struct('role', cast(m.role as "
                            + "string), 'content', cast(m.content as string)))").as(MESSAGES))
                    : prompts.select(id, col(promptColumn).cast("string").as("prompt"),
                    org.apache.spark.sql.functions.lit(null).cast(DataTypes.createArrayType(ScoreJob.MESSAGE, true)).as(MESSAGES));
        } catch (Exception e) {
            // Spark's analysis error (checked, though no signature says so): messages of another shape.
            throw new IllegalArgumentException("the input's 'messages' column must be a list of {role, content}: "
                    + e.getMessage(), e);
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<byte[]> model = jsc.broadcast(modelZip);
        Broadcast<String> tok = jsc.broadcast(tokenizer);
        if (chat) {
            // The chat settings (ending at <|end|>) are what every row records.
            ai.refinery.training.tokenizer.BpeTokenizer chatTok;
            try {
                chatTok = ai.refinery.training.tokenizer.BpeTokenizer.fromJson(tokenizer, ModelBundle.TOKENIZER_JSON);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            // Throws when the tokenizer has no chat markers: a usage error, before any task runs.
            settings = settings.withStopTokenIds(List.of(new ai.refinery.training.tokenizer.ChatTemplate(chatTok).endId()));
        }
        SamplingSettings sampling = settings;
        String settingsJson = settings.toJson();
        MapPartitionsFunction<Row, Row> generate = rows -> {
            if (!rows.hasNext()) {
                return rows;
            }
            Generator g = ModelBundle.fromBytes(model.value(), tok.value(), modelId).generator(batchSize);
            return Batches.map(rows, batchSize, batch -> completeBatch(g, batch, sampling, chat, modelId, settingsJson));
        };
        Dataset<Row> all = in.mapPartitions(generate, Encoders.row(ALL));
        all.persist(StorageLevel.MEMORY_AND_DISK());
        return new Result(all, hasId, chat);
    }

    /** Rows (id, prompt, messages) completed together; one output row per input row, in their order. */
    static List<Row> completeBatch(Generator g, List<Row> batch, SamplingSettings s, boolean chat, String modelId,
                                   String settingsJson) {
        Row[] out = new Row[batch.size()];
        List<Integer> index = new ArrayList<>();
        List<int[]> ids = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            Row row = batch.get(i);
            int[] p;
            if (chat) {
                if (row.isNullAt(2)) {
                    out[i] = rejected(row, modelId, settingsJson, NULL_PROMPT, "the messages are null");
                    continue;
                }
                try {
                    List<ai.refinery.core.sft.Message> messages = ModelInputs.messages(row.getList(2));
                    if (messages.isEmpty()) {
                        throw new IllegalArgumentException("no messages");
                    }
                    p = g.chatTemplate().generationPrompt(messages);
                } catch (IllegalArgumentException e) {
                    out[i] = rejected(row, modelId, settingsJson, INVALID_CONVERSATION, e.getMessage());
                    continue;
                }
            } else {
                if (row.isNullAt(1)) {
                    out[i] = rejected(row, modelId, settingsJson, NULL_PROMPT, "the prompt is null");
                    continue;
                }
                p = g.encode(row.getString(1));
            }
            if (p.length > g.contextLength()) {
                out[i] = rejected(row, modelId, settingsJson, PROMPT_TOO_LONG,
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
                    out[index.get(j)] = completed(r, g.completeAll(List.of(ids.get(j)), s).get(0), chat, modelId,
                            settingsJson);
                } catch (RuntimeException x) {
                    out[index.get(j)] = rejected(r, modelId, settingsJson, GENERATION_FAILED, String.valueOf(x));
                }
            }
        }
        if (done != null) {
            for (int j = 0; j < index.size(); j++) {
                out[index.get(j)] = completed(batch.get(index.get(j)), done.get(j), chat, modelId, settingsJson);
            }
        }
        return List.of(out);
    }

    private static Row completed(Row in, Completion generated, boolean chat, String modelId, String settingsJson) {
        Completion c = chat ? Generator.asResponse(generated) : generated;
        Integer[] ids = new Integer[c.tokens().length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = c.tokens()[i];
        }
        Double[] logprobs = null;
        Row[][] top = null;
        if (c.logprobs() != null) {
            int n = c.logprobs().size();
            logprobs = new Double[n];
            top = new Row[n][];
            for (int i = 0; i < n; i++) {
                Completion.TokenLogprobs t = c.logprobs().get(i);
                logprobs[i] = t.chosen().logprob();
                top[i] = new Row[t.top().size()];
                for (int k = 0; k < top[i].length; k++) {
                    Completion.Alternative a = t.top().get(k);
                    top[i][k] = RowFactory.create(a.id(), a.text(), a.logprob());
                }
            }
        }
        return RowFactory.create(in.get(0), in.get(1), in.get(2), c.text(), c.promptTokens(), c.completionTokens(),
                c.finishReason().wire(), ids, logprobs, top, modelId, settingsJson, null, null, null);
    }

    private static Row rejected(Row in, String modelId, String settingsJson, String reason, String detail) {
        return RowFactory.create(in.get(0), in.get(1), in.get(2), null, null, null, null, null, null, null, modelId,
                settingsJson, STAGE, reason, detail);
    }
}
