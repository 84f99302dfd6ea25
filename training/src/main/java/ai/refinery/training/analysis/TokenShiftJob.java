package ai.refinery.training.analysis;

import ai.refinery.core.spark.Batches;
import ai.refinery.core.sft.Message;
import ai.refinery.training.decode.Completion;
import ai.refinery.training.decode.PromptTooLongException;
import ai.refinery.training.decode.SamplingSettings;
import ai.refinery.training.decode.TokenScorer;
import ai.refinery.training.generate.Generator;
import ai.refinery.training.generate.ModelBundle;
import ai.refinery.training.tokenizer.BpeTokenizer;
import ai.refinery.training.tokenizer.ChatTemplate;
import ai.refinery.training.tokenizer.SpecialTokens;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
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
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

/**
 * Token shift as a Spark job: both models are broadcast once and loaded once per partition; the aligned model
 * decodes {@code batch_size} prompts at a time greedily (cached, batched decoding), then every token it emitted
 * (the end of text that ended a response included) is ranked under the base model at the same prefix by one
 * teacher-forced forward pass of prompt and response, and under the aligned model itself the same way. One
 * output row per emitted token; a prompt that cannot be scored is a row of rejected/ with stage "token-shift".
 */
public final class TokenShiftJob {
    public static final String STAGE = "token-shift";
    public static final String NULL_PROMPT = "null_prompt";
    public static final String PROMPT_TOO_LONG = "prompt_too_long";
    public static final String GENERATION_FAILED = "generation_failed";

    static final StructType ALL = new StructType(new StructField[] {
            DataTypes.createStructField("prompt_id", DataTypes.StringType, true),
            DataTypes.createStructField("position", DataTypes.IntegerType, true),
            DataTypes.createStructField("token_id", DataTypes.IntegerType, true),
            DataTypes.createStructField("token", DataTypes.StringType, true),
            DataTypes.createStructField("base_rank", DataTypes.IntegerType, true),
            DataTypes.createStructField("base_prob", DataTypes.DoubleType, true),
            DataTypes.createStructField("aligned_rank", DataTypes.IntegerType, true),
            DataTypes.createStructField("aligned_prob", DataTypes.DoubleType, true),
            DataTypes.createStructField("shift", DataTypes.StringType, true),
            DataTypes.createStructField("prompt", DataTypes.StringType, true),
            DataTypes.createStructField("stage", DataTypes.StringType, true),
            DataTypes.createStructField("reason", DataTypes.StringType, true),
            DataTypes.createStructField("detail", DataTypes.StringType, true),
    });
    static final List<String> TOKEN_COLUMNS = List.of("prompt_id", "position", "token_id", "token", "base_rank",
            "base_prob", "aligned_rank", "aligned_prob", "shift");

    private TokenShiftJob() {
    }

    /** A model as the job ships it: model.zip bytes, tokenizer.json text and id. */
    public record ModelBytes(byte[] modelZip, String tokenizerJson, String modelId) implements java.io.Serializable {
    }

    /** Per-token rows and rejected prompts; call {@link #release()} when written. */
    public record Result(Dataset<Row> all) {
        public Dataset<Row> data() {
            return all.filter(col("reason").isNull()).select(cols(TOKEN_COLUMNS));
        }

        public Dataset<Row> rejected() {
            return all.filter(col("reason").isNotNull()).select(cols(List.of("prompt_id", "prompt", "stage", "reason",
                    "detail")));
        }

        public void release() {
            all.unpersist();
        }
    }

    private static Column[] cols(List<String> names) {
        return names.stream().map(n -> col(n)).toArray(Column[]::new);
    }

    /**
     * Checks that two tokenizers give every id the same bytes (ranks compare token ids across the models).
     *
     * @return null when they agree, else why not
     */
    public static String tokenizerMismatch(BpeTokenizer a, BpeTokenizer b) {
        if (a.vocabSize() != b.vocabSize()) {
            return "vocabularies of " + a.vocabSize() + " and " + b.vocabSize() + " tokens";
        }
        for (int id = 0; id < a.vocabSize(); id++) {
            if (!Arrays.equals(a.tokenBytes(id), b.tokenBytes(id))) {
                return "token " + id + " differs";
            }
        }
        return null;
    }

    /**
     * @param prompts rows with a string column {@code promptColumn} and optionally {@code id} (the prompt_id;
     *                without one, a name-based UUID of the prompt text)
     */
    public static Result run(SparkSession spark, Dataset<Row> prompts, String promptColumn, ModelBytes base,
                             ModelBytes aligned, TokenShiftSettings settings) {
        if (!Arrays.asList(prompts.columns()).contains(promptColumn)) {
            throw new IllegalArgumentException("the input has no column '" + promptColumn + "' (columns: "
                    + String.join(", ", prompts.columns()) + ")");
        }
        boolean hasId = Arrays.asList(prompts.columns()).contains("id");
        Dataset<Row> in = prompts.select(hasId ? col("id").cast("string") : lit(null).cast("string").as("id"),
                col(promptColumn).cast("string").as("prompt"));
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<ModelBytes> b = jsc.broadcast(base);
        Broadcast<ModelBytes> a = jsc.broadcast(aligned);
        FlatMapFunction<Iterator<Row>, Row> score = rows -> {
            if (!rows.hasNext()) {
                return java.util.Collections.emptyIterator();
            }
            Scorer scorer = new Scorer(load(b.value()), load(a.value()), settings);
            return Batches.map(rows, settings.batchSize(), scorer::score);
        };
        Dataset<Row> all = in.mapPartitions(
                (org.apache.spark.api.java.function.MapPartitionsFunction<Row, Row>) score::call, Encoders.row(ALL));
        all.persist(StorageLevel.MEMORY_AND_DISK());
        return new Result(all);
    }

    private static ModelBundle load(ModelBytes m) {
        return ModelBundle.fromBytes(m.modelZip(), m.tokenizerJson(), m.modelId());
    }

    /** The prompt's id: the input's, or a name-based UUID of its text. */
    static String promptId(String id, String prompt) {
        return id != null ? id : prompt == null ? null
                : UUID.nameUUIDFromBytes(prompt.getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** Decodes with the aligned model and ranks under both; one per partition (not thread-safe). */
    static final class Scorer {
        /** Rows of one teacher-forced step: a whole response of the largest context fits. */
        private static final int SCORE_ROWS = 1024;

        private final TokenShiftSettings settings;
        private final Generator aligned;
        private final TokenScorer baseScorer;
        private final TokenScorer alignedScorer;
        private final BpeTokenizer tokenizer;
        private final ChatTemplate chat;
        private final int endOfText;
        private final int pad;
        private final SamplingSettings greedy;

        Scorer(ModelBundle base, ModelBundle alignedModel, TokenShiftSettings settings) {
            this.settings = settings;
            this.aligned = alignedModel.generator(settings.batchSize());
            this.tokenizer = alignedModel.tokenizer();
            this.endOfText = tokenizer.endOfTextId();
            this.pad = tokenizer.idOf(SpecialTokens.PAD);
            // Ranks among the tokenizer's real tokens: the output may be wider, and padding is never a candidate.
            int vocab = tokenizer.vocabSize();
            this.baseScorer = new TokenScorer(base.weights(), endOfText, SCORE_ROWS, vocab, pad);
            this.alignedScorer = new TokenScorer(alignedModel.weights(), endOfText, SCORE_ROWS, vocab, pad);
            this.chat = settings.chat() ? new ChatTemplate(tokenizer) : null;
            this.greedy = SamplingSettings.greedy(settings.maxTokens());
        }

        /** Rows (id, prompt) in; token rows and rejected rows out. */
        List<Row> score(List<Row> batch) {
            List<Row> out = new ArrayList<>();
            List<String> ids = new ArrayList<>();
            List<String> texts = new ArrayList<>();
            List<int[]> encoded = new ArrayList<>();
            for (Row r : batch) {
                String prompt = r.getString(1);
                String id = promptId(r.getString(0), prompt);
                if (prompt == null) {
                    out.add(rejected(id, null, NULL_PROMPT, "the prompt is null"));
                    continue;
                }
                int[] p = chat != null ? chat.generationPrompt(List.of(Message.user(prompt))) : tokenizer.encode(prompt);
                int limit = Math.min(aligned.contextLength(), baseScorer.contextLength());
                if (p.length >= limit) {
                    // Not one generated token would fit under both models.
                    out.add(rejected(id, prompt, PROMPT_TOO_LONG, new PromptTooLongException(p.length, limit - 1).getMessage()));
                    continue;
                }
                ids.add(id);
                texts.add(prompt);
                encoded.add(p);
            }
            List<Completion> done;
            try {
                done = aligned.completeAll(encoded, greedy);
            } catch (RuntimeException e) {
                done = null;
            }
            for (int j = 0; j < encoded.size(); j++) {
                try {
                    Completion c = done != null ? done.get(j) : aligned.completeAll(List.of(encoded.get(j)), greedy).get(0);
                    out.addAll(tokens(ids.get(j), encoded.get(j), response(c)));
                } catch (RuntimeException e) {
                    out.add(rejected(ids.get(j), texts.get(j), GENERATION_FAILED, String.valueOf(e)));
                }
            }
            return out;
        }

        /**
         * The emitted tokens: the generated ones and the end of text that stopped the response (no stop strings are
         * set, so "stop" is always the end of text); with the chat template, up to and with the first end-of-turn
         * marker. Cut to what both contexts hold.
         */
        int[] response(Completion c) {
            int[] t = c.tokens();
            if (c.finishReason() == Completion.FinishReason.STOP) {
                t = Arrays.copyOf(t, t.length + 1);
                t[t.length - 1] = endOfText;
            }
            if (chat != null) {
                for (int i = 0; i < t.length; i++) {
                    if (t[i] == chat.endId()) {
                        t = Arrays.copyOf(t, i + 1);
                        break;
                    }
                }
            }
            return t;
        }

        List<Row> tokens(String id, int[] prompt, int[] response) {
            int room = Math.min(baseScorer.contextLength(), alignedScorer.contextLength()) - Math.max(1, prompt.length) + 1;
            int[] r = response.length > room ? Arrays.copyOf(response, Math.max(0, room)) : response;
            TokenScorer.Scores base = baseScorer.score(prompt, r);
            TokenScorer.Scores own = alignedScorer.score(prompt, r);
            List<Row> out = new ArrayList<>(r.length);
            for (int i = 0; i < r.length; i++) {
                int baseRank = base.ranks()[i];
                out.add(RowFactory.create(id, i, r[i], tokenizer.decode(new int[] {r[i]}), baseRank,
                        Math.exp(base.logprobs()[i]), own.ranks()[i], Math.exp(own.logprobs()[i]),
                        TokenShift.category(baseRank, settings.marginalMaxRank()), null, null, null, null));
            }
            return out;
        }

        private static Row rejected(String id, String prompt, String reason, String detail) {
            return RowFactory.create(id, null, null, null, null, null, null, null, null, prompt, STAGE, reason, detail);
        }
    }

    /**
     * The summary: token counts and shares by category, overall and by position bucket, and the most often shifted
     * tokens (with how often each was emitted at all).
     */
    public static Map<String, Object> summary(Dataset<Row> tokens, TokenShiftSettings settings) {
        Map<String, Object> s = new LinkedHashMap<>();
        Map<Integer, long[]> byPosition = new java.util.TreeMap<>();
        for (Row r : tokens.groupBy("position", "shift").count().collectAsList()) {
            long[] c = byPosition.computeIfAbsent(r.getInt(0), k -> new long[3]);
            c[TokenShift.CATEGORIES.indexOf(r.getString(1))] += r.getLong(2);
        }
        long[] total = new long[3];
        Map<String, long[]> buckets = new LinkedHashMap<>();
        for (Map.Entry<Integer, long[]> e : byPosition.entrySet()) {
            long[] b = buckets.computeIfAbsent(TokenShift.bucket(e.getKey(), settings.positionBuckets()), k -> new long[3]);
            for (int i = 0; i < 3; i++) {
                b[i] += e.getValue()[i];
                total[i] += e.getValue()[i];
            }
        }
        long n = total[0] + total[1] + total[2];
        s.put("tokens", n);
        s.put("token_counts", counts(total));
        s.put("shares", shares(total));
        Map<String, Object> positions = new LinkedHashMap<>();
        buckets.forEach((label, c) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("tokens", c[0] + c[1] + c[2]);
            m.putAll(shares(c));
            positions.put(label, m);
        });
        s.put("shares_by_position", positions);
        List<Map<String, Object>> top = new ArrayList<>();
        if (settings.topTokens() > 0) {
            Dataset<Row> perToken = tokens.groupBy("token_id", "token")
                    .agg(sum(when(col("shift").equalTo(TokenShift.SHIFTED), 1L).otherwise(0L)).as("shifted"),
                            count(lit(1)).as("emitted"));
            for (Row r : perToken.filter(col("shifted").gt(0))
                    .orderBy(col("shifted").desc(), col("token_id")).limit(settings.topTokens()).collectAsList()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("token", r.getString(1));
                m.put("token_id", r.getInt(0));
                m.put("shifted", r.getLong(2));
                m.put("emitted", r.getLong(3));
                top.add(m);
            }
        }
        s.put("top_shifted", top);
        return s;
    }

    private static Map<String, Object> counts(long[] c) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < 3; i++) {
            m.put(TokenShift.CATEGORIES.get(i), c[i]);
        }
        return m;
    }

    private static Map<String, Object> shares(long[] c) {
        long n = c[0] + c[1] + c[2];
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < 3; i++) {
            m.put(TokenShift.CATEGORIES.get(i), n == 0 ? 0.0 : Math.round(1e6 * c[i] / (double) n) / 1e6);
        }
        return m;
    }
}
