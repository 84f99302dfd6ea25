package ai.refinery.training.generate;

import ai.refinery.core.spark.Batches;
import ai.refinery.core.config.ConfigError;
import ai.refinery.core.sft.ConversationCheck;
import ai.refinery.core.sft.Message;
import ai.refinery.training.decode.PromptTooLongException;
import ai.refinery.training.decode.TokenScorer;
import ai.refinery.training.tokenizer.BpeTokenizer;
import ai.refinery.training.tokenizer.ChatTemplate;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;

/**
 * Teacher-forced scoring of given responses as a Spark job: for every row, the model's log-probability and rank of
 * each response token after the prompt and the response tokens before it ({@link TokenScorer}), with their sum and
 * mean. The model is broadcast once and loaded once per partition; each partition scores {@code batchSize} rows
 * per forward pass. A row's numbers do not depend on the partitioning or the batch.
 *
 * <p>Two kinds of rows:
 * <ul>
 *   <li>{@code prompt} and {@code response} strings: the prompt's tokens, then the response's (each encoded
 *       alone, special-token text as its id, as generate encodes prompts; an empty prompt stands for end of
 *       text, as in generation);</li>
 *   <li>instruction rows with {@code messages} (the SFT row contract): the last assistant turn is scored under
 *       the chat template, its content tokens and the closing {@code <|end|>}, after everything before it
 *       (the training targets of {@code sft.train_on = last_turn}).</li>
 * </ul>
 * A row that cannot be scored is in rejected/ with stage "score" and a reason.
 */
public final class ScoreJob {
    public static final String STAGE = "score";
    public static final String NULL_INPUT = "null_input";
    public static final String EMPTY_RESPONSE = "empty_response";
    public static final String TOO_LONG = "too_long";
    public static final String SCORING_FAILED = "scoring_failed";
    public static final String MESSAGES = "messages";

    static final StructType MESSAGE = new StructType()
            .add("role", DataTypes.StringType, true)
            .add("content", DataTypes.StringType, true);

    static final StructType ALL = new StructType(new StructField[] {
            DataTypes.createStructField("id", DataTypes.StringType, true),
            DataTypes.createStructField("prompt", DataTypes.StringType, true),
            DataTypes.createStructField("response", DataTypes.StringType, true),
            DataTypes.createStructField(MESSAGES, DataTypes.createArrayType(MESSAGE, true), true),
            DataTypes.createStructField("prompt_tokens", DataTypes.IntegerType, true),
            DataTypes.createStructField("response_tokens", DataTypes.IntegerType, true),
            DataTypes.createStructField("token_ids", DataTypes.createArrayType(DataTypes.IntegerType, false), true),
            DataTypes.createStructField("tokens", DataTypes.createArrayType(DataTypes.StringType, false), true),
            DataTypes.createStructField("token_logprobs", DataTypes.createArrayType(DataTypes.DoubleType, false), true),
            DataTypes.createStructField("token_ranks", DataTypes.createArrayType(DataTypes.IntegerType, false), true),
            DataTypes.createStructField("logprob_sum", DataTypes.DoubleType, true),
            DataTypes.createStructField("logprob_mean", DataTypes.DoubleType, true),
            DataTypes.createStructField("model_id", DataTypes.StringType, false),
            DataTypes.createStructField("stage", DataTypes.StringType, true),
            DataTypes.createStructField("reason", DataTypes.StringType, true),
            DataTypes.createStructField("detail", DataTypes.StringType, true),
    });

    private static final List<String> SCORES = List.of("prompt_tokens", "response_tokens", "token_ids", "tokens",
            "token_logprobs", "token_ranks", "logprob_sum", "logprob_mean", "model_id");

    private ScoreJob() {
    }

    /** The scored rows and the rejected ones; call {@link #release()} when written. */
    public record Result(Dataset<Row> all, boolean hasId, boolean chat) {
        private List<String> inputColumns() {
            List<String> cols = new ArrayList<>(hasId ? List.of("id") : List.of());
            cols.addAll(chat ? List.of(MESSAGES) : List.of("prompt", "response"));
            return cols;
        }

        public Dataset<Row> data() {
            List<String> cols = inputColumns();
            cols.addAll(SCORES);
            return all.filter(col("reason").isNull()).select(cols.stream().map(c -> col(c)).toArray(Column[]::new));
        }

        public Dataset<Row> rejected() {
            List<String> cols = inputColumns();
            cols.addAll(List.of("model_id", "stage", "reason", "detail"));
            return all.filter(col("reason").isNotNull()).select(cols.stream().map(c -> col(c)).toArray(Column[]::new));
        }

        /**
         * rows_in, rows_out, rejected.&lt;reason&gt;, then tokens_scored, logprob_sum, logprob_mean (per token over
         * every row), perplexity (exp of minus that mean) and rank1_share (targets the model ranks first).
         */
        public Map<String, Object> stats() {
            Map<String, Object> s = new LinkedHashMap<>();
            long in = all.count();
            Dataset<Row> ok = all.filter(col("reason").isNull());
            long out = ok.count();
            s.put("rows_in", in);
            s.put("rows_out", out);
            for (Row r : all.filter(col("reason").isNotNull()).groupBy("reason").count().orderBy("reason").collectAsList()) {
                s.put("rejected." + r.getString(0), r.getLong(1));
            }
            Row sums = ok.agg(org.apache.spark.sql.functions.sum("response_tokens"),
                    org.apache.spark.sql.functions.sum("logprob_sum"),
                    org.apache.spark.sql.functions.sum(expr("size(filter(token_ranks, r -> r = 1))"))).first();
            long tokens = sums.isNullAt(0) ? 0 : sums.getLong(0);
            double logprob = sums.isNullAt(1) ? 0 : sums.getDouble(1);
            long first = sums.isNullAt(2) ? 0 : sums.getLong(2);
            s.put("tokens_scored", tokens);
            s.put("logprob_sum", logprob);
            if (tokens > 0) {
                s.put("logprob_mean", logprob / tokens);
                s.put("perplexity", Math.exp(-logprob / tokens));
                s.put("rank1_share", first / (double) tokens);
            }
            return s;
        }

        public void release() {
            all.unpersist();
        }
    }

    /**
     * @param rows           the input: a {@code messages} column (scored under the chat template), or the
     *                       {@code promptColumn} and {@code responseColumn} strings; an {@code id} column is carried
     * @param modelZip       the model's model.zip bytes
     * @param tokenizer      the model's tokenizer.json text
     * @param batchSize      rows scored together in a partition (the numbers do not depend on it)
     * @throws ConfigError   when the columns are missing or of the wrong shape
     */
    public static Result run(SparkSession spark, Dataset<Row> rows, String promptColumn, String responseColumn,
                             byte[] modelZip, String tokenizer, String modelId, int batchSize) {
        if (batchSize < 1) {
            throw ConfigError.forKey(STAGE + ".batch_size", "must be at least 1, got " + batchSize);
        }
        List<String> columns = Arrays.asList(rows.columns());
        boolean chat = columns.contains(MESSAGES);
        boolean hasId = columns.contains("id");
        Column id = hasId ? col("id").cast("string").as("id") : lit(null).cast("string").as("id");
        Dataset<Row> in;
        try {
            if (chat) {
                // By name, whatever the order of the input's struct fields (JSON gives content before role).
                in = rows.select(id, lit(null).cast("string").as("prompt"), lit(null).cast("string").as("response"),
                        expr("transform(messages, m -> named_struct('role', cast(m.role as string), "
                                + "'content', cast(m.content as string)))").as(MESSAGES));
            } else {
                for (String c : List.of(promptColumn, responseColumn)) {
                    if (!columns.contains(c)) {
                        throw new ConfigError("the input has neither a 'messages' column nor the column '" + c
                                + "' (columns: " + String.join(", ", columns) + "; see --prompt-column, --response-column)");
                    }
                }
                in = rows.select(id, col(promptColumn).cast("string").as("prompt"),
                        col(responseColumn).cast("string").as("response"),
                        lit(null).cast(DataTypes.createArrayType(MESSAGE, true)).as(MESSAGES));
            }
        } catch (ConfigError e) {
            throw e;
        } catch (Exception e) {
            // Spark's analysis error (checked, though no signature says so): messages of another shape.
            throw new ConfigError("the input's 'messages' column must be a list of {role, content}: " + e.getMessage(), e);
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<byte[]> model = jsc.broadcast(modelZip);
        Broadcast<String> tok = jsc.broadcast(tokenizer);
        MapPartitionsFunction<Row, Row> score = it -> {
            if (!it.hasNext()) {
                return it;
            }
            Generator g = ModelBundle.fromBytes(model.value(), tok.value(), modelId).generator(1);
            return Batches.map(it, batchSize, batch -> scoreBatch(g, batch, chat, modelId));
        };
        Dataset<Row> all = in.mapPartitions(score, Encoders.row(ALL));
        all.persist(StorageLevel.MEMORY_AND_DISK());
        return new Result(all, hasId, chat);
    }

    /** What a row asks to score: its context and targets, or why it cannot be scored. */
    record Pair(int[] context, int[] targets, String reason, String detail) {
        static Pair rejected(String reason, String detail) {
            return new Pair(null, null, reason, detail);
        }
    }

    /** The context and targets of a prompt/response row. */
    static Pair plain(BpeTokenizer tok, String prompt, String response) {
        if (prompt == null || response == null) {
            return Pair.rejected(NULL_INPUT, "the " + (prompt == null ? "prompt" : "response") + " is null");
        }
        int[] targets = tok.encode(response);
        if (targets.length == 0) {
            return Pair.rejected(EMPTY_RESPONSE, "the response has no tokens");
        }
        return new Pair(tok.encode(prompt), targets, null, null);
    }

    /**
     * The context and targets of an instruction row: everything before its last assistant turn with the
     * {@code <|assistant|>} marker ({@link ChatTemplate#generationPrompt}), then that turn's content and
     * {@code <|end|>}.
     */
    static Pair chat(ChatTemplate template, List<Row> turns) {
        if (turns == null) {
            return Pair.rejected(NULL_INPUT, "the messages are null");
        }
        List<Message> messages;
        try {
            messages = ModelInputs.messages(turns);
        } catch (IllegalArgumentException e) {
            return Pair.rejected(NULL_INPUT, e.getMessage());
        }
        ConversationCheck.Problem problem = ConversationCheck.problem(messages);
        if (problem != null) {
            return Pair.rejected(problem.reason(), problem.detail());
        }
        int last = messages.size() - 1;
        int[] context = template.generationPrompt(messages.subList(0, last));
        int[] content = template.turnTokens(messages.get(last).content());
        int[] targets = Arrays.copyOf(content, content.length + 1);
        targets[content.length] = template.endId();
        return new Pair(context, targets, null, null);
    }

    /** Rows (id, prompt, response, messages) scored together; one output row per input row, in their order. */
    static List<Row> scoreBatch(Generator g, List<Row> batch, boolean chat, String modelId) {
        BpeTokenizer tok = g.tokenizer();
        TokenScorer scorer = g.scorer();
        Row[] out = new Row[batch.size()];
        List<Integer> index = new ArrayList<>();
        List<int[]> contexts = new ArrayList<>();
        List<int[]> targets = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            Row r = batch.get(i);
            Pair p;
            try {
                p = chat ? chat(g.chatTemplate(), r.isNullAt(3) ? null : r.getList(3))
                        : plain(tok, r.getString(1), r.getString(2));
            } catch (IllegalArgumentException e) {
                p = Pair.rejected(SCORING_FAILED, String.valueOf(e.getMessage()));
            }
            if (p.reason() == null) {
                int length = Math.max(1, p.context().length) + p.targets().length;
                if (length > scorer.maxTokens()) {
                    p = Pair.rejected(TOO_LONG, "prompt and response have " + length + " tokens; the model scores "
                            + scorer.maxTokens() + " at most (its context length + 1)");
                }
            }
            if (p.reason() != null) {
                out[i] = rejected(r, modelId, p.reason(), p.detail());
                continue;
            }
            index.add(i);
            contexts.add(p.context());
            targets.add(p.targets());
        }
        List<TokenScorer.Scores> scores = null;
        try {
            scores = scorer.scoreAll(contexts, targets);
        } catch (RuntimeException e) {
            // Find the row that failed: the others still get their scores.
            for (int j = 0; j < index.size(); j++) {
                Row r = batch.get(index.get(j));
                try {
                    out[index.get(j)] = scored(r, tok, contexts.get(j).length,
                            scorer.score(contexts.get(j), targets.get(j)), modelId);
                } catch (RuntimeException x) {
                    out[index.get(j)] = rejected(r, modelId, x instanceof PromptTooLongException ? TOO_LONG : SCORING_FAILED,
                            String.valueOf(x.getMessage()));
                }
            }
        }
        if (scores != null) {
            for (int j = 0; j < index.size(); j++) {
                out[index.get(j)] = scored(batch.get(index.get(j)), tok, contexts.get(j).length, scores.get(j), modelId);
            }
        }
        return List.of(out);
    }

    private static Row scored(Row in, BpeTokenizer tok, int promptTokens, TokenScorer.Scores s, String modelId) {
        int n = s.size();
        Integer[] ids = new Integer[n];
        String[] texts = new String[n];
        Double[] logprobs = new Double[n];
        Integer[] ranks = new Integer[n];
        for (int i = 0; i < n; i++) {
            ids[i] = s.tokens()[i];
            texts[i] = ids[i] < tok.vocabSize() ? new String(tok.tokenBytes(ids[i]), StandardCharsets.UTF_8) : "";
            logprobs[i] = s.logprobs()[i];
            ranks[i] = s.ranks()[i];
        }
        return RowFactory.create(in.get(0), in.get(1), in.get(2), in.get(3), promptTokens, n, ids, texts, logprobs,
                ranks, s.sum(), s.mean(), modelId, null, null, null);
    }

    private static Row rejected(Row in, String modelId, String reason, String detail) {
        return RowFactory.create(in.get(0), in.get(1), in.get(2), in.get(3), null, null, null, null, null, null, null,
                null, modelId, STAGE, reason, detail);
    }
}
