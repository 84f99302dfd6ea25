package ai.refinery.training.analysis;

import ai.refinery.training.decode.BatchDecoder;
import ai.refinery.training.decode.SamplingSettings;
import ai.refinery.training.decode.Sequence;
import ai.refinery.training.generate.Generator;
import ai.refinery.training.generate.ModelBundle;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapFunction;
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
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.xxhash64;

/**
 * SliCK categories as a Spark job: the model is broadcast once and loaded once per partition; for each question
 * its K few-shot prompts each get one greedy and S sampled answers (temperature {@code knowledge.temperature}),
 * all K x (1 + S) continuations decoded as one batch; the answers are compared with the reference by normalised
 * exact match. Each sampled answer has its own seed (from the settings' seed, the row id, the prompt and the
 * sample's numbers), so a row's result depends only on the row, the pool and the seed.
 */
public final class KnowledgeJob {
    public static final String STAGE = "knowledge";
    public static final String NO_QUESTION = "no_question";
    public static final String NO_ANSWER = "no_answer";
    public static final String PROMPT_TOO_LONG = "prompt_too_long";
    public static final String GENERATION_FAILED = "generation_failed";

    static final StructType QA = new StructType(new StructField[] {
            DataTypes.createStructField("id", DataTypes.StringType, true),
            DataTypes.createStructField("question", DataTypes.StringType, true),
            DataTypes.createStructField("answer", DataTypes.StringType, true),
    });

    static final StructType ALL = new StructType(new StructField[] {
            DataTypes.createStructField("id", DataTypes.StringType, true),
            DataTypes.createStructField("question", DataTypes.StringType, true),
            DataTypes.createStructField("answer", DataTypes.StringType, true),
            DataTypes.createStructField("category", DataTypes.StringType, true),
            DataTypes.createStructField("greedy_correct", DataTypes.DoubleType, true),
            DataTypes.createStructField("sampled_correct", DataTypes.DoubleType, true),
            DataTypes.createStructField("greedy_right", DataTypes.IntegerType, true),
            DataTypes.createStructField("sampled_right", DataTypes.IntegerType, true),
            DataTypes.createStructField("greedy_answers", DataTypes.createArrayType(DataTypes.StringType, true), true),
            DataTypes.createStructField("stage", DataTypes.StringType, true),
            DataTypes.createStructField("reason", DataTypes.StringType, true),
            DataTypes.createStructField("detail", DataTypes.StringType, true),
    });

    private KnowledgeJob() {
    }

    public record Result(Dataset<Row> all) {
        public Dataset<Row> data() {
            return all.filter(col("reason").isNull()).select(cols("id", "question", "answer", "category",
                    "greedy_correct", "sampled_correct", "greedy_right", "sampled_right", "greedy_answers"));
        }

        public Dataset<Row> rejected() {
            return all.filter(col("reason").isNotNull()).select(cols("id", "question", "answer", "stage", "reason",
                    "detail"));
        }

        /** Rows per category (all four, zeros included), and the mean greedy and sampled correct shares. */
        public Map<String, Object> summary() {
            Map<String, Object> s = new LinkedHashMap<>();
            Map<String, Long> byCategory = new LinkedHashMap<>();
            Slick.CATEGORIES.forEach(c -> byCategory.put(c, 0L));
            for (Row r : data().groupBy("category").count().collectAsList()) {
                byCategory.put(r.getString(0), r.getLong(1));
            }
            s.put("categories", byCategory);
            Row means = data().agg(avg("greedy_correct"), avg("sampled_correct")).first();
            s.put("greedy_accuracy", means.isNullAt(0) ? 0.0 : Math.round(means.getDouble(0) * 1e6) / 1e6);
            s.put("sampled_accuracy", means.isNullAt(1) ? 0.0 : Math.round(means.getDouble(1) * 1e6) / 1e6);
            return s;
        }

        public void release() {
            all.unpersist();
        }
    }

    private static Column[] cols(String... names) {
        return Arrays.stream(names).map(n -> col(n)).toArray(Column[]::new);
    }

    /**
     * The (id, question, answer) rows of the input: SFT rows (a messages column: the first user turn and the
     * assistant turn after it; an id column) or question and answer columns (with an id column, or a name-based
     * UUID of the question).
     *
     * @throws IllegalArgumentException when the input has neither form
     */
    public static Dataset<Row> questions(Dataset<Row> input) {
        List<String> columns = Arrays.asList(input.columns());
        if (columns.contains("messages")) {
            if (!columns.contains("id")) {
                throw new IllegalArgumentException("instruction rows (a messages column) need an id column");
            }
            return input.select(col("id").cast("string").as("id"), col("messages")).map((MapFunction<Row, Row>) r -> {
                String question = null;
                String answer = null;
                List<Row> turns = r.isNullAt(1) ? List.of() : r.getList(1);
                for (Row t : turns) {
                    String role = t.getAs("role");
                    if (question == null && "user".equals(role)) {
                        question = t.getAs("content");
                    } else if (question != null && "assistant".equals(role)) {
                        answer = t.getAs("content");
                        break;
                    }
                }
                return RowFactory.create(r.getString(0), question, answer);
            }, Encoders.row(QA));
        }
        if (!columns.contains("question") || !columns.contains("answer")) {
            throw new IllegalArgumentException("the input needs a messages column (instruction rows) or question and "
                    + "answer columns; columns: " + String.join(", ", columns));
        }
        boolean hasId = columns.contains("id");
        return input.select(hasId ? col("id").cast("string") : lit(null).cast("string").as("id"),
                col("question").cast("string"), col("answer").cast("string")).map((MapFunction<Row, Row>) r -> {
                    String id = r.getString(0);
                    if (id == null && r.getString(1) != null) {
                        id = UUID.nameUUIDFromBytes(r.getString(1).getBytes(StandardCharsets.UTF_8)).toString();
                    }
                    return RowFactory.create(id, r.getString(1), r.getString(2));
                }, Encoders.row(QA));
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    /**
     * The exemplar pool: up to {@code exemplar_pool} valid rows, the first by a seeded hash of their ids.
     */
    public static List<KnowledgePrompts.Qa> pool(Dataset<Row> qa, KnowledgeSettings settings) {
        List<KnowledgePrompts.Qa> pool = new ArrayList<>();
        Dataset<Row> valid = qa.filter(col("id").isNotNull().and(col("question").isNotNull())
                .and(col("answer").isNotNull()));
        for (Row r : valid.orderBy(xxhash64(lit(settings.seed()), col("id")), col("id"))
                .limit(settings.exemplarPool()).collectAsList()) {
            if (!blank(r.getString(1)) && !blank(r.getString(2))) {
                pool.add(new KnowledgePrompts.Qa(r.getString(0), r.getString(1), r.getString(2)));
            }
        }
        return pool;
    }

    /** @param qa rows of {@link #questions} */
    public static Result run(SparkSession spark, Dataset<Row> qa, byte[] modelZip, String tokenizer, String modelId,
                             KnowledgeSettings settings, List<KnowledgePrompts.Qa> pool) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<byte[]> model = jsc.broadcast(modelZip);
        Broadcast<String> tok = jsc.broadcast(tokenizer);
        Broadcast<KnowledgePrompts> prompts = jsc.broadcast(new KnowledgePrompts(pool, settings.shots(), settings.seed()));
        MapPartitionsFunction<Row, Row> classify = rows -> {
            if (!rows.hasNext()) {
                return java.util.Collections.emptyIterator();
            }
            Classifier c = new Classifier(ModelBundle.fromBytes(model.value(), tok.value(), modelId)
                    .generator(settings.continuations()), prompts.value(), settings);
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return rows.hasNext();
                }

                @Override
                public Row next() {
                    return c.classify(rows.next());
                }
            };
        };
        Dataset<Row> all = qa.mapPartitions(classify, Encoders.row(ALL));
        all.persist(StorageLevel.MEMORY_AND_DISK());
        return new Result(all);
    }

    /** Decodes and judges one question at a time; one per partition (not thread-safe). */
    public static final class Classifier {
        private final Generator generator;
        private final KnowledgePrompts prompts;
        private final KnowledgeSettings settings;
        private final SamplingSettings greedy;
        private final SamplingSettings sampled;

        public Classifier(Generator generator, KnowledgePrompts prompts, KnowledgeSettings settings) {
            this.generator = generator;
            this.prompts = prompts;
            this.settings = settings;
            this.greedy = SamplingSettings.greedy(settings.maxTokens()).withStop(List.of("\n"));
            this.sampled = new SamplingSettings(settings.maxTokens(), settings.temperature(), 0, 1.0, settings.seed(),
                    List.of("\n"));
        }

        /** A row (id, question, answer) to its output or rejected row. */
        public Row classify(Row r) {
            String id = r.getString(0);
            String question = r.getString(1);
            String answer = r.getString(2);
            if (blank(question)) {
                return rejected(id, question, answer, NO_QUESTION, "the row has no question");
            }
            if (blank(answer)) {
                return rejected(id, question, answer, NO_ANSWER, "the row has no reference answer");
            }
            KnowledgePrompts.Qa qa = new KnowledgePrompts.Qa(id, question, answer);
            List<int[]> encoded = new ArrayList<>();
            for (String p : prompts.prompts(qa, settings.promptSets())) {
                int[] ids = generator.encode(p);
                if (ids.length >= generator.contextLength()) {
                    return rejected(id, question, answer, PROMPT_TOO_LONG, "a few-shot prompt has " + ids.length
                            + " tokens; the context holds " + generator.contextLength());
                }
                encoded.add(ids);
            }
            try {
                return judged(qa, encoded);
            } catch (RuntimeException e) {
                return rejected(id, question, answer, GENERATION_FAILED, String.valueOf(e));
            }
        }

        private Row judged(KnowledgePrompts.Qa qa, List<int[]> encoded) {
            BatchDecoder decoder = generator.decoder();
            long rowHash = KnowledgePrompts.hash(qa.id());
            List<Sequence> all = new ArrayList<>(settings.continuations());
            // Each prompt runs through the model once for its greedy and sampled answers.
            for (int k = 0; k < encoded.size(); k++) {
                List<SamplingSettings> each = new ArrayList<>(1 + settings.samples());
                each.add(greedy);
                for (int s = 0; s < settings.samples(); s++) {
                    each.add(sampled.withSeed(KnowledgePrompts.mix(settings.seed(), rowHash, k, s)));
                }
                all.addAll(decoder.startShared(encoded.get(k), each));
            }
            decoder.run(all);
            int greedyRight = 0;
            int sampledRight = 0;
            String[] greedyAnswers = new String[encoded.size()];
            int i = 0;
            for (int k = 0; k < encoded.size(); k++) {
                greedyAnswers[k] = KnowledgePrompts.answer(all.get(i++).completion().text());
                greedyRight += Slick.matches(greedyAnswers[k], qa.answer()) ? 1 : 0;
                for (int s = 0; s < settings.samples(); s++) {
                    sampledRight += Slick.matches(KnowledgePrompts.answer(all.get(i++).completion().text()), qa.answer())
                            ? 1 : 0;
                }
            }
            int k = encoded.size();
            int samples = k * settings.samples();
            return RowFactory.create(qa.id(), qa.question(), qa.answer(), Slick.category(greedyRight, k, sampledRight),
                    greedyRight / (double) k, samples == 0 ? 0.0 : sampledRight / (double) samples, greedyRight,
                    sampledRight, greedyAnswers, null, null, null);
        }

        private static Row rejected(String id, String question, String answer, String reason, String detail) {
            return RowFactory.create(id, question, answer, null, null, null, null, null, null, STAGE, reason, detail);
        }
    }
}
