package ai.refinery.rephrasing.model;

import ai.refinery.core.config.ConfigError;
import org.apache.spark.api.java.function.MapPartitionsFunction;
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

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

/**
 * Model-backed rephrasing after Rephrasing the Web (Maini et al. 2024): every document is rewritten in every
 * configured style by a language model behind an OpenAI-compatible endpoint, then checked by the
 * {@link Guards}. One row per (document, style): in data/ with its provenance (source_id, rephraser
 * "model/&lt;style&gt;", style, seed, model_id), or in rejected/ with stage and reason: "input" for a document
 * without id or text, "generate" for a failed generation (the error in detail), "guard" for a generated text a
 * guard dropped (the guard's name in {@code guard}).
 *
 * <p>Requests carry rephrase.seed, and a prompt's answer depends only on the prompt and seed on servers that seed
 * per prompt (refinery serve does): the output does not depend on the partitioning.
 */
public final class ModelRephraser {
    public static final String STAGE_INPUT = "input";
    public static final String STAGE_GENERATE = "generate";
    public static final String STAGE_GUARD = "guard";
    public static final String MISSING_ID = "missing_id";
    public static final String EMPTY_TEXT = "empty_text";
    public static final String GENERATION_FAILED = "generation_failed";

    static final StructType ALL = new StructType(new StructField[] {
            DataTypes.createStructField("id", DataTypes.StringType, true),
            DataTypes.createStructField("text", DataTypes.StringType, true),
            DataTypes.createStructField("url", DataTypes.StringType, true),
            DataTypes.createStructField("source", DataTypes.StringType, true),
            DataTypes.createStructField("lang", DataTypes.StringType, true),
            DataTypes.createStructField("lang_score", DataTypes.DoubleType, true),
            DataTypes.createStructField("source_id", DataTypes.StringType, true),
            DataTypes.createStructField("rephraser", DataTypes.StringType, true),
            DataTypes.createStructField("style", DataTypes.StringType, true),
            DataTypes.createStructField("seed", DataTypes.LongType, false),
            DataTypes.createStructField("model_id", DataTypes.StringType, false),
            DataTypes.createStructField("finish_reason", DataTypes.StringType, true),
            DataTypes.createStructField("attempts", DataTypes.IntegerType, true),
            DataTypes.createStructField("stage", DataTypes.StringType, true),
            DataTypes.createStructField("guard", DataTypes.StringType, true),
            DataTypes.createStructField("reason", DataTypes.StringType, true),
            DataTypes.createStructField("detail", DataTypes.StringType, true),
    });
    static final List<String> DATA_COLUMNS = List.of("id", "text", "url", "source", "lang", "lang_score", "source_id",
            "rephraser", "style", "seed", "model_id", "finish_reason");
    static final List<String> REJECTED_COLUMNS = List.of("id", "source_id", "style", "rephraser", "seed", "model_id",
            "text", "stage", "guard", "reason", "detail", "attempts");

    /** Shared by the tasks of one executor: they wait on the per-endpoint request limit, not on threads. */
    private static final ExecutorService POOL = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "rephrase-request");
        t.setDaemon(true);
        return t;
    });

    private ModelRephraser() {
    }

    /** Generated rows and rejections; call {@link #release()} once written. */
    public record Result(Dataset<Row> all, List<String> styles) {
        public Dataset<Row> data() {
            return all.filter(col("stage").isNull()).select(columns(DATA_COLUMNS));
        }

        public Dataset<Row> rejected() {
            return all.filter(col("stage").isNotNull()).select(columns(REJECTED_COLUMNS));
        }

        /**
         * documents_in, documents_rejected (bad input), generations, rows_out, rows_out.&lt;style&gt;, rejected,
         * rejected.&lt;stage&gt;.&lt;reason&gt;.
         */
        public Map<String, Long> stats() {
            Map<String, Long> s = new LinkedHashMap<>();
            long inputRejected = all.filter(col("stage").equalTo(STAGE_INPUT)).count();
            long generations = all.filter(col("stage").isNull().or(col("stage").notEqual(STAGE_INPUT))).count();
            s.put("documents_in", inputRejected + generations / Math.max(1, styles.size()));
            s.put("documents_rejected", inputRejected);
            s.put("generations", generations);
            Dataset<Row> ok = all.filter(col("stage").isNull());
            s.put("rows_out", ok.count());
            for (String style : styles) {
                s.put("rows_out." + style, 0L);
            }
            for (Row r : ok.groupBy("style").count().collectAsList()) {
                s.put("rows_out." + r.getString(0), r.getLong(1));
            }
            Dataset<Row> bad = all.filter(col("stage").isNotNull());
            s.put("rejected", bad.count());
            for (Row r : bad.groupBy("stage", "reason").count().orderBy("stage", "reason").collectAsList()) {
                s.put("rejected." + r.getString(0) + "." + r.getString(1), r.getLong(2));
            }
            return s;
        }

        public void release() {
            all.unpersist();
        }
    }

    private static Column[] columns(List<String> names) {
        return names.stream().map(n -> col(n)).toArray(Column[]::new);
    }

    /**
     * @param docs documents with string columns id and text; url, source and lang are carried when present
     * @throws ConfigError when the input lacks id or text, or the model cannot be named
     */
    public static Result run(SparkSession spark, Dataset<Row> docs, ModelRephraseSettings settings) {
        requireDocuments(docs);
        ModelRephraseSettings s = settings;
        if (s.model().isEmpty()) {
            try {
                s = s.withModel(OpenAiCompletionsClient.firstModel(s.endpoint(), s.timeoutS()));
            } catch (Exception e) {
                throw ConfigError.forKey(ModelRephraseSettings.SECTION + ".model", "is empty and " + s.endpoint()
                        + "/v1/models could not name one: " + e.getMessage());
            }
        }
        return run(spark, docs, s, OpenAiCompletionsClient::new);
    }

    /**
     * Rewrites documents with the generators that {@code source} opens (one per partition), for example a model
     * loaded in every executor instead of an HTTP endpoint.
     *
     * @param settings resolved settings: their model is recorded as every row's model_id
     */
    public static Result run(SparkSession spark, Dataset<Row> docs, ModelRephraseSettings settings,
                             TextGenerator.Source source) {
        requireDocuments(docs);
        List<String> cols = Arrays.asList(docs.columns());
        Dataset<Row> in = docs.select(col("id").cast("string"), col("text").cast("string"),
                optional(cols, "url"), optional(cols, "source"), optional(cols, "lang"));
        MapPartitionsFunction<Row, Row> rephrase = rows -> new PartitionRephraser(settings, source.open(settings), rows);
        Dataset<Row> all = in.mapPartitions(rephrase, Encoders.row(ALL));
        all.persist(StorageLevel.MEMORY_AND_DISK());
        return new Result(all, List.copyOf(settings.templates().keySet()));
    }

    private static void requireDocuments(Dataset<Row> docs) {
        List<String> cols = Arrays.asList(docs.columns());
        for (String required : List.of("id", "text")) {
            if (!cols.contains(required)) {
                throw new ConfigError("rephrase.rephraser = model needs documents with columns id and text; the input has "
                        + String.join(", ", cols));
            }
        }
    }

    private static Column optional(List<String> cols, String name) {
        return cols.contains(name) ? col(name).cast("string").as(name) : lit(null).cast("string").as(name);
    }

    /** The output id of a document's rewrite in a style: stable and unique within one output. */
    public static String outputId(String sourceId, String style) {
        return sourceId + "-" + style;
    }

    /**
     * Works through a partition in chunks: each chunk's prompts are sent as concurrent batches (bounded by the
     * client's per-endpoint limit), and its rows come out in input order.
     */
    static final class PartitionRephraser implements Iterator<Row> {
        private final ModelRephraseSettings s;
        private final Iterator<Row> input;
        private final TextGenerator generator;
        private final List<String> styles;
        private final int chunkDocs;
        private Iterator<Row> current = List.<Row>of().iterator();
        private boolean closed;

        PartitionRephraser(ModelRephraseSettings s, TextGenerator generator, Iterator<Row> input) {
            this.s = s;
            this.input = input;
            this.generator = generator;
            this.styles = List.copyOf(s.templates().keySet());
            this.chunkDocs = Math.max(1, 2 * s.concurrency() * s.batchSize() / Math.max(1, styles.size()));
        }

        @Override
        public boolean hasNext() {
            while (!current.hasNext() && input.hasNext()) {
                current = nextChunk().iterator();
            }
            if (!current.hasNext() && !closed) {
                closed = true;
                generator.close();
            }
            return current.hasNext();
        }

        @Override
        public Row next() {
            if (!hasNext()) {
                throw new java.util.NoSuchElementException();
            }
            return current.next();
        }

        private List<Row> nextChunk() {
            List<Row> out = new ArrayList<>();
            List<Row> docs = new ArrayList<>();
            while (docs.size() < chunkDocs && input.hasNext()) {
                Row d = input.next();
                String id = d.getString(0);
                String text = d.getString(1);
                if (id == null || id.isBlank()) {
                    out.add(row(null, null, d, null, null, null, STAGE_INPUT, null, MISSING_ID, "the document has no id"));
                } else if (text == null || text.isBlank()) {
                    out.add(row(null, null, d, null, null, null, STAGE_INPUT, null, EMPTY_TEXT, "the document has no text"));
                } else {
                    docs.add(d);
                }
            }
            List<String> prompts = new ArrayList<>(docs.size() * styles.size());
            for (Row d : docs) {
                for (String style : styles) {
                    prompts.add(s.prompt(style, d.getString(1)));
                }
            }
            List<TextGenerator.Generated> results = generateConcurrently(prompts);
            int k = 0;
            for (Row d : docs) {
                for (String style : styles) {
                    out.add(judge(d, style, results.get(k++)));
                }
            }
            return out;
        }

        private List<TextGenerator.Generated> generateConcurrently(List<String> prompts) {
            List<CompletableFuture<List<TextGenerator.Generated>>> batches = new ArrayList<>();
            for (int i = 0; i < prompts.size(); i += s.batchSize()) {
                List<String> batch = prompts.subList(i, Math.min(prompts.size(), i + s.batchSize()));
                batches.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return generator.generate(batch);
                    } catch (RuntimeException e) {
                        List<TextGenerator.Generated> failed = new ArrayList<>();
                        batch.forEach(p -> failed.add(TextGenerator.Generated.failed(String.valueOf(e), 1)));
                        return failed;
                    }
                }, POOL));
            }
            List<TextGenerator.Generated> out = new ArrayList<>(prompts.size());
            for (CompletableFuture<List<TextGenerator.Generated>> b : batches) {
                out.addAll(b.join());
            }
            return out;
        }

        private Row judge(Row d, String style, TextGenerator.Generated g) {
            String id = outputId(d.getString(0), style);
            if (g.failed()) {
                return row(id, style, d, null, null, g, STAGE_GENERATE, null, GENERATION_FAILED, g.error());
            }
            String text = g.text().strip();
            Guards.Verdict v = s.guards().check(id, text, d.getString(1));
            if (!v.kept()) {
                return row(id, style, d, text, null, g, STAGE_GUARD, v.guard(), v.reason(), v.detail());
            }
            return row(id, style, d, text, v, g, null, null, null, null);
        }

        private Row row(String id, String style, Row d, String text, Guards.Verdict v, TextGenerator.Generated g,
                        String stage, String guard, String reason, String detail) {
            String lang = v != null ? v.lang() : null;
            Double langScore = v != null ? v.langScore() : null;
            return RowFactory.create(id, text, d.getString(2), d.getString(3), lang, langScore, d.getString(0),
                    style == null ? null : "model/" + style, style, s.seed(), s.model(),
                    g == null ? null : g.finishReason(), g == null ? null : g.attempts(), stage, guard, reason, detail);
        }
    }
}
