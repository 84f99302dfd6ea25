package ai.refinery.training.eval;

import ai.refinery.core.spark.Batches;
import ai.refinery.core.sft.Message;
import ai.refinery.training.decode.Completion;
import ai.refinery.training.decode.PromptTooLongException;
import ai.refinery.training.decode.SamplingSettings;
import ai.refinery.training.generate.Generator;
import ai.refinery.training.generate.ModelBundle;
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
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

/**
 * Greedy answers to QA rows as a Spark job: the model is broadcast once and loaded once per partition, each
 * partition decodes {@code batchSize} questions at once through the batched decoder
 * ({@link Generator#completeChats}: the chat template's prompt, the answer ending at {@code <|end|>}), and every
 * answer is scored by {@link AnswerMatch}. Greedy
 * decoding makes an answer depend on its question alone, whatever the partitioning and batching.
 */
public final class EvalQaJob {
    public static final String STAGE = "eval_qa";
    public static final String INVALID_CONVERSATION = "invalid_conversation";
    public static final String PROMPT_TOO_LONG = "prompt_too_long";
    public static final String GENERATION_FAILED = "generation_failed";
    /** The attribute of rows that have none. */
    public static final String NO_ATTRIBUTE = "none";

    static final StructType ALL = new StructType()
            .add("id", DataTypes.StringType, true)
            .add("question", DataTypes.StringType, true)
            .add("reference", DataTypes.StringType, true)
            .add("answer", DataTypes.StringType, true)
            .add("correct", DataTypes.BooleanType, true)
            .add("attribute", DataTypes.StringType, false)
            .add("split", DataTypes.StringType, true)
            .add("finish_reason", DataTypes.StringType, true)
            .add("answer_tokens", DataTypes.IntegerType, true)
            .add("model_id", DataTypes.StringType, false)
            .add("reference_normalised", DataTypes.StringType, true)
            .add("stage", DataTypes.StringType, true)
            .add("reason", DataTypes.StringType, true)
            .add("detail", DataTypes.StringType, true);

    private EvalQaJob() {
    }

    /** Accuracy figures of a set of answered rows (the whole evaluation or one attribute). */
    public record Score(long rows, long correct, long majority) {
        /** Share of rows answered right. */
        public double accuracy() {
            return rows == 0 ? 0 : (double) correct / rows;
        }

        /** Share of rows whose reference is their attribute's most common one: the answer-the-majority baseline. */
        public double baselineAccuracy() {
            return rows == 0 ? 0 : (double) majority / rows;
        }
    }

    /** The answered and the rejected rows; call {@link #release()} when written. */
    public record Result(Dataset<Row> all) {
        public Dataset<Row> data() {
            return all.filter(col("reason").isNull()).select(cols("id", "question", "reference", "answer", "correct",
                    "attribute", "split", "finish_reason", "answer_tokens", "model_id"));
        }

        public Dataset<Row> rejected() {
            return all.filter(col("reason").isNotNull()).select(cols("id", "question", "reference", "attribute",
                    "split", "model_id", "stage", "reason", "detail"));
        }

        /** Per attribute (sorted): rows, correct and the count of the attribute's most common reference. */
        public Map<String, Score> byAttribute() {
            Dataset<Row> ok = all.filter(col("reason").isNull());
            Map<String, long[]> counts = new TreeMap<>();
            for (Row r : ok.groupBy("attribute").agg(count(lit(1)), sum(when(col("correct"), 1).otherwise(0)))
                    .collectAsList()) {
                counts.put(r.getString(0), new long[] {r.getLong(1), r.getLong(2), 0});
            }
            for (Row r : ok.groupBy("attribute", "reference_normalised").count().groupBy("attribute")
                    .agg(max("count")).collectAsList()) {
                counts.get(r.getString(0))[2] = r.getLong(1);
            }
            Map<String, Score> out = new TreeMap<>();
            counts.forEach((k, c) -> out.put(k, new Score(c[0], c[1], c[2])));
            return out;
        }

        /** Answers by finish reason (stop: the model ended its turn; length: max_tokens or the context ran out). */
        public Map<String, Long> finishReasons() {
            Map<String, Long> out = new TreeMap<>();
            for (Row r : all.filter(col("reason").isNull()).groupBy("finish_reason").count().collectAsList()) {
                out.put(r.getString(0), r.getLong(1));
            }
            return out;
        }

        public void release() {
            all.unpersist();
        }

        private static Column[] cols(String... names) {
            return Arrays.stream(names).map(n -> col(n)).toArray(Column[]::new);
        }
    }

    /**
     * @param rows            instruction rows: {@code id}, {@code messages} (array of {role, content}); the columns
     *                        {@code split} and {@code attributeColumn} are carried when present
     * @param split           only rows of this split, or null for every row
     * @param maxTokens       tokens per answer at most
     * @param batchSize       questions decoded together in a partition
     * @throws IllegalArgumentException when a needed column is missing
     */
    public static Result run(SparkSession spark, Dataset<Row> rows, byte[] modelZip, String tokenizer, String modelId,
                             int maxTokens, int batchSize, String attributeColumn, String split) {
        List<String> columns = Arrays.asList(rows.columns());
        for (String needed : List.of("id", "messages")) {
            if (!columns.contains(needed)) {
                throw new IllegalArgumentException("the input has no '" + needed + "' column (columns: "
                        + String.join(", ", rows.columns()) + "): expected instruction rows (id, messages)");
            }
        }
        boolean hasSplit = columns.contains("split");
        if (split != null && !hasSplit) {
            throw new IllegalArgumentException("--split " + split + ": the input has no 'split' column");
        }
        Dataset<Row> in = rows.select(col("id").cast("string"), col("messages"),
                hasSplit ? col("split").cast("string") : lit(null).cast("string"),
                columns.contains(attributeColumn) ? col(attributeColumn).cast("string") : lit(null).cast("string"));
        if (split != null) {
            in = in.where(col("split").equalTo(split));
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<byte[]> model = jsc.broadcast(modelZip);
        Broadcast<String> tok = jsc.broadcast(tokenizer);
        SamplingSettings greedy = SamplingSettings.greedy(maxTokens);
        MapPartitionsFunction<Row, Row> answer = it -> {
            if (!it.hasNext()) {
                return it;
            }
            Generator g = ModelBundle.fromBytes(model.value(), tok.value(), modelId).generator(batchSize);
            return Batches.map(it, batchSize, batch -> answerBatch(g, batch, greedy, modelId));
        };
        Dataset<Row> all = in.mapPartitions(answer, Encoders.row(ALL));
        all.persist(StorageLevel.MEMORY_AND_DISK());
        return new Result(all);
    }

    /** Rows (id, messages, split, attribute) answered together; one output row per input row, in order. */
    static List<Row> answerBatch(Generator g, List<Row> batch, SamplingSettings greedy, String modelId) {
        Row[] out = new Row[batch.size()];
        List<Integer> index = new ArrayList<>();
        List<QaItem> items = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            Row r = batch.get(i);
            String attribute = r.isNullAt(3) ? NO_ATTRIBUTE : r.getString(3);
            QaItem item = r.isNullAt(1) ? QaItem.of(List.of()) : QaItem.of(messages(r.getList(1)));
            if (item.problem() != null) {
                out[i] = rejected(r, item, attribute, modelId, INVALID_CONVERSATION,
                        item.problem().reason() + ": " + item.problem().detail());
                continue;
            }
            int length = g.chatTemplate().generationPrompt(item.prompt()).length;
            if (length > g.contextLength()) {
                out[i] = rejected(r, item, attribute, modelId, PROMPT_TOO_LONG,
                        new PromptTooLongException(length, g.contextLength()).getMessage());
                continue;
            }
            index.add(i);
            items.add(item);
        }
        List<Completion> answers = null;
        try {
            answers = g.completeChats(items.stream().map(QaItem::prompt).toList(), greedy);
        } catch (RuntimeException e) {
            // Find the question that failed: the others still get their answer.
            for (int j = 0; j < index.size(); j++) {
                Row r = batch.get(index.get(j));
                String attribute = r.isNullAt(3) ? NO_ATTRIBUTE : r.getString(3);
                try {
                    Completion c = g.completeChats(List.of(items.get(j).prompt()), greedy).get(0);
                    out[index.get(j)] = answered(r, items.get(j), attribute, c, modelId);
                } catch (RuntimeException x) {
                    out[index.get(j)] = rejected(r, items.get(j), attribute, modelId, GENERATION_FAILED, String.valueOf(x));
                }
            }
        }
        if (answers != null) {
            for (int j = 0; j < index.size(); j++) {
                Row r = batch.get(index.get(j));
                out[index.get(j)] = answered(r, items.get(j), r.isNullAt(3) ? NO_ATTRIBUTE : r.getString(3),
                        answers.get(j), modelId);
            }
        }
        return List.of(out);
    }

    private static List<Message> messages(List<Row> turns) {
        List<Message> out = new ArrayList<>(turns.size());
        for (Row t : turns) {
            String role = t.getAs("role");
            String content = t.getAs("content");
            out.add(new Message(role == null ? "" : role, content == null ? "" : content));
        }
        return out;
    }

    private static Row answered(Row r, QaItem item, String attribute, Completion c, String modelId) {
        String answer = c.text().strip();
        return RowFactory.create(r.getString(0), item.question(), item.reference(), answer,
                AnswerMatch.matches(answer, item.reference()), attribute, r.getString(2), c.finishReason().wire(),
                c.completionTokens(), modelId, AnswerMatch.normalise(item.reference()), null, null, null);
    }

    private static Row rejected(Row r, QaItem item, String attribute, String modelId, String reason, String detail) {
        return RowFactory.create(r.getString(0), item.question(), item.reference(), null, null, attribute,
                r.getString(2), null, null, modelId, null, STAGE, reason, detail);
    }
}
