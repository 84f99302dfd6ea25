package ai.refinery.bench;

import ai.refinery.dedup.DedupJob;
import ai.refinery.dedup.DedupResult;
import ai.refinery.dedup.DedupSettings;
import ai.refinery.dedup.Shingler;
import ai.refinery.dedup.TextNormalizer;
import ai.refinery.core.config.Settings;
import ai.refinery.core.spark.SparkSessions;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.graphx.Edge;
import org.apache.spark.graphx.Graph;
import org.apache.spark.ml.feature.HashingTF;
import org.apache.spark.ml.feature.MinHashLSH;
import org.apache.spark.ml.feature.MinHashLSHModel;
import org.apache.spark.ml.feature.NGram;
import org.apache.spark.ml.feature.Tokenizer;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.posexplode;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.sql.functions.xxhash64;

/**
 * Refinery's dedup job against the in-ecosystem alternative on the same data, in the same JVM and Spark session:
 * Spark MLlib's MinHashLSH over HashingTF vectors of the same shingles (word 5-grams of the same normalised
 * text), approxSimilarityJoin at the same Jaccard threshold, GraphX connectedComponents, and the same survivor
 * rule (smallest id per component). Both start from the same cached input and end with every document's kept id
 * on the driver; both are scored against the exact truth (every pair with shingle-set Jaccard >= threshold).
 *
 * <p>Usage: DedupVsMllib [--set key=value ...] DOCS TABLES[,TABLES...] WORK_DIR HTML_DIR... (settings as on the
 * command line, e.g. {@code --set spark.conf."spark.sql.shuffle.partitions"=8}; TABLES 0 runs ours alone)
 */
public final class DedupVsMllib {
    private static final double THRESHOLD = 0.8;
    private static final StructType DOCS = new StructType()
            .add("id", DataTypes.StringType, false).add("text", DataTypes.StringType, false);

    public static void main(String[] allArgs) throws Exception {
        List<String> overrides = new ArrayList<>(List.of("spark.master=\"local[2]\""));
        int first = 0;
        while (first < allArgs.length && allArgs[first].equals("--set")) {
            overrides.add(allArgs[first + 1]);
            first += 2;
        }
        String[] args = java.util.Arrays.copyOfRange(allArgs, first, allArgs.length);
        int n = Integer.parseInt(args[0]);
        List<Integer> tables = new ArrayList<>();
        for (String t : args[1].split(",")) {
            if (Integer.parseInt(t.trim()) > 0) {
                tables.add(Integer.parseInt(t.trim()));
            }
        }
        Path work = Path.of(args[2]);
        List<Path> html = new ArrayList<>();
        for (int i = 3; i < args.length; i++) {
            html.add(Path.of(args[i]));
        }
        DedupCorpus corpus = DedupCorpus.fromHtml(html, 1, 2000, 5000, DedupCorpus.DUPLICATE_SHARE);
        List<DedupCorpus.Doc> docs = new ArrayList<>(n);
        long chars = 0;
        for (int i = 0; i < n; i++) {
            docs.add(corpus.doc(i));
            chars += docs.get(i).text().length();
        }
        System.out.printf("corpus: %d documents, %.1f M characters, %d copies (edit rates %s) of pool paragraphs %d%n",
                n, chars / 1e6, docs.stream().filter(d -> d.original() != Long.parseLong(d.id().substring(4))).count(),
                java.util.Arrays.toString(DedupCorpus.EDIT_RATES), corpus.poolParagraphs());

        long t0 = System.nanoTime();
        long[][] shingles = new long[n][];
        Shingler shingler = DedupSettings.defaults().shingler();
        for (int i = 0; i < n; i++) {
            shingles[i] = shingler.shingles(TextNormalizer.normalize(docs.get(i).text()));
        }
        TruthPairs truth = TruthPairs.find(shingles, THRESHOLD);
        System.out.printf("truth: %d pairs with Jaccard >= %.2f (exact, prefix-filtered all pairs) in %.1f s%n",
                truth.size(), THRESHOLD, (System.nanoTime() - t0) / 1e9);
        int check = Math.min(n, 3000);
        long[][] head = java.util.Arrays.copyOf(shingles, check);
        boolean agrees = TruthPairs.bruteForce(head, THRESHOLD).equals(TruthPairs.find(head, THRESHOLD));
        System.out.printf("check: prefix filter %s brute force over all %,d pairs of the first %d documents%n",
                agrees ? "equals" : "DIFFERS FROM", (long) check * (check - 1) / 2, check);
        if (!agrees) {
            throw new IllegalStateException("prefix filter disagrees with brute force");
        }

        SparkSession spark = SparkSessions.create("dedup-bench", Settings.load(null, overrides));
        System.out.println("settings: " + overrides);
        spark.sparkContext().setLogLevel("WARN");
        spark.sparkContext().addSparkListener(TALLY);
        List<Row> rows = new ArrayList<>(n);
        for (DedupCorpus.Doc d : docs) {
            rows.add(RowFactory.create(d.id(), d.text()));
        }
        Path parquet = work.resolve("dedup-vs-mllib-" + n);
        spark.createDataFrame(rows, DOCS).repartition(8).write().mode("overwrite").parquet(parquet.toString());
        // Read back and cached in memory: both pipelines start from the same materialised input.
        Dataset<Row> input = spark.read().parquet(parquet.toString()).repartition(8).persist(StorageLevel.MEMORY_ONLY());
        System.out.printf("input: %d rows in %d partitions, local[2]%n", input.count(), input.rdd().getNumPartitions());

        // Warm-up on a slice (class loading, JIT) for every pipeline, untimed.
        Dataset<Row> slice = input.where(col("id").lt(DedupCorpus.id(Math.min(n, 2000))));
        refinery(spark, slice);
        for (int t : tables) {
            mllib(spark, slice, t);
        }

        List<String> report = new ArrayList<>();
        Timed ours = time(() -> refinery(spark, input));
        report.add(line("refinery dedup (14x8 LSH, exact verification, large/small-star CC)", ours, ours, truth, n));
        for (int t : tables) {
            Timed theirs = time(() -> mllib(spark, input, t));
            report.add(line(String.format("MLlib MinHashLSH numHashTables=%d + approxSimilarityJoin + GraphX CC", t),
                    theirs, ours, truth, n));
            report.add(String.format("  MLlib numHashTables=%d: %,d bucket pairs before distinct (sum over tables of C(bucket size, 2))",
                    t, mllibBucketPairs(spark, input, t)));
        }
        Timed again = time(() -> refinery(spark, input));
        report.add(line("refinery dedup again (drift check)", again, ours, truth, n));
        report.forEach(System.out::println);
        Files.write(work.resolve("dedup-vs-mllib-" + n + ".txt"), report);
        spark.stop();
    }

    /** Every document's kept id, and what the run counted. */
    record Outcome(Map<String, String> keep, String note) {
    }

    /** Our job. */
    static Outcome refinery(SparkSession spark, Dataset<Row> input) {
        DedupResult r = DedupJob.run(spark, input, DedupSettings.defaults());
        Map<String, String> keep = new HashMap<>();
        for (Row row : r.kept().select("id").collectAsList()) {
            keep.put(row.getString(0), row.getString(0));
        }
        for (Row row : r.removed().select("id", "duplicate_of").collectAsList()) {
            keep.put(row.getString(0), row.getString(1));
        }
        r.release();
        return new Outcome(keep, r.counters().toString());
    }

    /** The features MLlib's LSH sees: binary HashingTF of the word 5-grams of dedup's normalised text. */
    static Dataset<Row> mllibFeatures(Dataset<Row> input) {
        UserDefinedFunction normalize = udf((UDF1<String, String>) TextNormalizer::normalize, DataTypes.StringType);
        Dataset<Row> words = new Tokenizer().setInputCol("norm").setOutputCol("words")
                .transform(input.select(col("id"), xxhash64(col("id")).as("vid"), normalize.apply(col("text")).as("norm")));
        Dataset<Row> grams = new NGram().setN(5).setInputCol("words").setOutputCol("grams").transform(words)
                .where(size(col("grams")).gt(0));
        // 2^24 buckets: hash collisions between distinct 5-grams stay negligible for documents of ~600 shingles.
        return new HashingTF().setInputCol("grams").setOutputCol("features").setNumFeatures(1 << 24).setBinary(true)
                .transform(grams).select("id", "vid", "features");
    }

    static MinHashLSHModel mllibModel(Dataset<Row> features, int tables) {
        return new MinHashLSH().setNumHashTables(tables).setSeed(1).setInputCol("features").setOutputCol("hashes")
                .fit(features);
    }

    /** MLlib + GraphX, with the survivor of each component its smallest id, as ours keeps. */
    static Outcome mllib(SparkSession spark, Dataset<Row> input, int tables) {
        Dataset<Row> features = mllibFeatures(input);
        MinHashLSHModel model = mllibModel(features, tables);
        // Cached as a user would: the self-join reads it twice.
        Dataset<Row> hashed = model.transform(features).persist(StorageLevel.MEMORY_AND_DISK());
        Dataset<Row> pairs = model.approxSimilarityJoin(hashed, hashed, 1.0 - THRESHOLD + 1e-9, "distance")
                .select(col("datasetA.vid").as("a"), col("datasetB.vid").as("b"))
                .where(col("a").lt(col("b")));
        JavaRDD<Edge<Object>> edges = pairs.javaRDD().map(r -> new Edge<>(r.getLong(0), r.getLong(1), (Object) 1));
        ClassTag<Object> any = ClassTag$.MODULE$.apply(Object.class);
        Graph<Object, Object> graph = Graph.fromEdges(edges.rdd(), (Object) 0, StorageLevel.MEMORY_ONLY(),
                StorageLevel.MEMORY_ONLY(), any, any);
        JavaRDD<Row> components = org.apache.spark.graphx.lib.ConnectedComponents.run(graph, any, any)
                .vertices().toJavaRDD().map((Tuple2<Object, Object> v) -> RowFactory.create(v._1(), v._2()));
        Dataset<Row> labels = spark.createDataFrame(components, new StructType()
                .add("cvid", DataTypes.LongType).add("component", DataTypes.LongType));
        Dataset<Row> nodes = input.select(col("id"), xxhash64(col("id")).as("vid"))
                .join(labels, col("vid").equalTo(col("cvid")), "left")
                .select(col("id"), coalesce(col("component"), col("vid")).as("label"));
        Dataset<Row> survivors = nodes.groupBy("label").agg(min("id").as("keep"));
        Map<String, String> keep = new HashMap<>();
        for (Row row : nodes.join(survivors, "label").select("id", "keep").collectAsList()) {
            keep.put(row.getString(0), row.getString(1));
        }
        hashed.unpersist();
        graph.unpersist(false);
        return new Outcome(keep, "");
    }

    /** Candidate volume of MLlib's join before its distinct and distance filter (untimed diagnostics). */
    static long mllibBucketPairs(SparkSession spark, Dataset<Row> input, int tables) {
        Dataset<Row> features = mllibFeatures(input);
        Dataset<Row> hashed = mllibModel(features, tables).transform(features);
        Row r = hashed.select(posexplode(col("hashes")).as(new String[] {"table", "h"}))
                .groupBy("table", "h").count()
                .selectExpr("sum(count * (count - 1) / 2)").first();
        return r.isNullAt(0) ? 0 : (long) r.getDouble(0);
    }

    record Timed(Outcome outcome, double wallSeconds, double cpuSeconds, String tasks) {
    }

    /** Jobs, stages, tasks and task time of the runs since the last reset: the driver's share is the rest. */
    static final class Tally extends SparkListener {
        private final AtomicLong jobs = new AtomicLong();
        private final AtomicLong stages = new AtomicLong();
        private final AtomicLong tasks = new AtomicLong();
        private final AtomicLong runMillis = new AtomicLong();
        private final AtomicLong cpuNanos = new AtomicLong();

        @Override
        public void onJobStart(SparkListenerJobStart start) {
            jobs.incrementAndGet();
        }

        @Override
        public void onStageCompleted(SparkListenerStageCompleted done) {
            stages.incrementAndGet();
            tasks.addAndGet(done.stageInfo().numTasks());
            runMillis.addAndGet(done.stageInfo().taskMetrics().executorRunTime());
            cpuNanos.addAndGet(done.stageInfo().taskMetrics().executorCpuTime());
        }

        String takeSummary() {
            String s = String.format(Locale.ROOT, "%d jobs, %d stages, %d tasks; task time %.1f s, task CPU %.1f s",
                    jobs.getAndSet(0), stages.getAndSet(0), tasks.getAndSet(0), runMillis.getAndSet(0) / 1e3,
                    cpuNanos.getAndSet(0) / 1e9);
            return s;
        }
    }

    static final Tally TALLY = new Tally();

    interface Run {
        Outcome go();
    }

    static Timed time(Run run) {
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        System.gc();
        long cpu0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        TALLY.takeSummary();
        Outcome outcome = run.go();
        return new Timed(outcome, (System.nanoTime() - t0) / 1e9, (os.getProcessCpuTime() - cpu0) / 1e9,
                TALLY.takeSummary());
    }

    static String line(String what, Timed t, Timed reference, TruthPairs truth, int n) {
        int[] cluster = new int[n];
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < n; i++) {
            String keep = t.outcome().keep().get(DedupCorpus.id(i));
            if (keep == null) {
                throw new IllegalStateException(what + ": no decision for " + DedupCorpus.id(i));
            }
            cluster[i] = index.computeIfAbsent(keep, k -> index.size());
        }
        double[] prf = truth.score(cluster);
        return String.format(Locale.ROOT,
                "%-72s wall %7.1f s  CPU %7.1f s  (%.2fx / %.2fx ours)  kept %6d  pairs: P %.4f R %.4f F1 %.4f%s",
                what, t.wallSeconds(), t.cpuSeconds(), t.wallSeconds() / reference.wallSeconds(),
                t.cpuSeconds() / reference.cpuSeconds(), index.size(), prf[0], prf[1], prf[2],
                "\n  " + t.tasks() + (t.outcome().note().isEmpty() ? "" : "\n  " + t.outcome().note()));
    }
}
