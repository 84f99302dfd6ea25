package ai.refinery.training.train;

import ai.refinery.training.model.GptModel;
import ai.refinery.training.model.ModelSettings;
import ai.refinery.training.pack.PackResult;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

import static org.apache.spark.sql.functions.col;

/**
 * Pretrains the decoder on packed windows with Spark: DL4J's SparkComputationGraph and
 * ParameterAveragingTrainingMaster (each worker trains averaging_frequency minibatches on its own copy, then
 * parameters and Adam state are averaged), on whatever master the session has.
 *
 * <p>Data: the training windows in window_id order (the packer's seeded shuffle) form a stream; each round of
 * training takes the next steps * workers * batch_size_per_worker windows of it, wrapping round into a new
 * epoch (in the same order) when the stream ends. The position in that stream is saved with each checkpoint,
 * so a resumed run continues with the windows an uninterrupted run would have seen.
 *
 * <p>Labels are token ids (sparse cross-entropy), not one-hot: see {@link GptModel}.
 */
public final class Pretrainer {
    private static final Logger LOG = LoggerFactory.getLogger(Pretrainer.class);

    private Pretrainer() {
    }

    /** Trains up to train.max_steps; see {@link #run(SparkSession, Dataset, ModelSettings, TrainSettings, String, int)}. */
    public static PretrainResult run(SparkSession spark, Dataset<Row> windows, ModelSettings model,
                                     TrainSettings train, String runDir) {
        return run(spark, windows, model, train, runDir, train.maxSteps());
    }

    /**
     * @param windows the packer's output (columns window_id, split, tokens: context_length + 1 ints)
     * @param runDir  run folder on any Hadoop FS (checkpoints/ and metrics/ go there), or null for none
     * @param stopAt  stop after this many steps in total (at most max_steps; the learning-rate schedule still
     *                runs to max_steps), to split one run into several jobs
     * @throws TrainingDivergedException when the loss or a parameter becomes NaN or infinite
     */
    public static PretrainResult run(SparkSession spark, Dataset<Row> windows, ModelSettings model,
                                     TrainSettings train, String runDir, int stopAt) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        int t = model.contextLength();
        int vocab = model.vocabSize();
        int end = Math.min(stopAt, train.maxSteps());

        JavaPairRDD<Long, int[]> stream = trainStream(windows);
        stream.persist(StorageLevel.MEMORY_AND_DISK_SER());
        JavaRDD<DataSet> validation = null;
        try {
            long[] countAndBad = stream.values().aggregate(new long[2],
                    (acc, w) -> {
                        acc[0]++;
                        if (!validWindow(w, t, vocab)) {
                            acc[1]++;
                        }
                        return acc;
                    },
                    (a, b) -> new long[] {a[0] + b[0], a[1] + b[1]});
            long n = countAndBad[0];
            if (n == 0) {
                throw new IllegalArgumentException("no training windows (split = train) in the input");
            }
            if (countAndBad[1] > 0) {
                throw new IllegalArgumentException(countAndBad[1] + " training windows do not hold context_length + 1 = "
                        + (t + 1) + " token ids below model.vocab_size = " + vocab
                        + " (were they packed with another context length or tokenizer?)");
            }
            validation = validationSet(windows, train.evalWindows(), t, vocab);

            Checkpoints checkpoints = runDir == null ? null
                    : new Checkpoints(runDir + "/checkpoints", spark.sparkContext().hadoopConfiguration(),
                    train.keepCheckpoints());
            String metricsDir = runDir == null ? null : runDir + "/metrics";
            ComputationGraph graph;
            Checkpoints.State state;
            String lastCheckpoint = null;
            List<MetricRow> rows = new ArrayList<>();
            Optional<Checkpoints.Loaded> loaded = checkpoints != null && train.resume()
                    ? checkpoints.loadLatest() : Optional.empty();
            if (loaded.isPresent()) {
                graph = loaded.get().model();
                state = loaded.get().state();
                lastCheckpoint = loaded.get().path();
                // Parameters and optimizer state come from the checkpoint, the learning-rate schedule from the
                // current settings (so a diverged run can resume with a lower rate).
                graph.setLearningRate(train.schedule());
                long at = state.step();
                MetricsTable.read(spark, metricsDir).stream().filter(r -> r.step() <= at).forEach(rows::add);
                LOG.info("Resuming from {} (step {}, {} tokens)", lastCheckpoint, at, state.tokens());
            } else {
                graph = GptModel.build(model, train.optimization(), DataType.FLOAT, train.seed());
                state = new Checkpoints.State(0, 0, 0);
            }
            long resumedFrom = state.step();

            int workers = train.workers() > 0 ? train.workers() : jsc.defaultParallelism();
            ParameterAveragingTrainingMaster.Builder tmb = new ParameterAveragingTrainingMaster.Builder(workers, 1)
                    .batchSizePerWorker(train.batchSizePerWorker())
                    .averagingFrequency(train.averagingFrequency())
                    .workerPrefetchNumBatches(train.prefetchBatches())
                    .saveUpdater(true) // not the default in this release: without it Adam's state is lost
                    .rddTrainingApproach(train.approach())
                    .rngSeed(train.seed());
            if (!train.exportDir().isEmpty()) {
                tmb.exportDirectory(train.exportDir());
            }
            ParameterAveragingTrainingMaster tm = tmb.build();
            SparkComputationGraph sparkNet = new SparkComputationGraph(jsc, graph, tm);
            WarmupCosineSchedule schedule = train.schedule();
            long perStep = (long) workers * train.batchSizePerWorker();

            long step = state.step();
            long tokens = state.tokens();
            long position = state.position();
            long runStarted = System.nanoTime();
            long firstStep = step;
            while (step < end) {
                long next = Math.min(end, Math.min(nextMultiple(step, train.evalEvery()),
                        nextMultiple(step, train.checkpointEvery())));
                long examples = (next - step) * perStep;
                JavaRDD<DataSet> chunk = slice(stream, position, examples, n, t);
                ComputationGraph net = sparkNet.getNetwork();
                net.getConfiguration().setIterationCount((int) step);
                long started = System.nanoTime();
                sparkNet.fit(chunk);
                double seconds = (System.nanoTime() - started) / 1e9;
                net = sparkNet.getNetwork();
                net.getConfiguration().setIterationCount((int) next);
                double loss = sparkNet.getScore() / t;
                tokens += examples * t;
                position += examples;
                step = next;
                double lr = schedule.valueAt((int) step - 1, 0);
                if (!Double.isFinite(loss) || !finite(net.params())) {
                    rows.add(new MetricRow(step, tokens, loss, null, lr, examples * t / seconds));
                    if (metricsDir != null) {
                        MetricsTable.write(spark, rows, metricsDir);
                    }
                    throw new TrainingDivergedException(step, Double.isFinite(loss)
                            ? "a parameter became NaN or infinite" : "the training loss became " + loss, lastCheckpoint);
                }
                Double valLoss = null;
                if (validation != null && (step % train.evalEvery() == 0 || step == end)) {
                    valLoss = sparkNet.calculateScore(validation, true, train.batchSizePerWorker()) / t;
                    if (!Double.isFinite(valLoss)) {
                        throw new TrainingDivergedException(step, "the validation loss became " + valLoss, lastCheckpoint);
                    }
                }
                MetricRow row = new MetricRow(step, tokens, loss, valLoss, lr, examples * t / seconds);
                rows.add(row);
                double perStepSeconds = (System.nanoTime() - runStarted) / 1e9 / (step - firstStep);
                LOG.info("step {}/{} tokens {} loss {} val_loss {} ppl {} lr {} tokens/s {} eta {}", step, end, tokens,
                        String.format("%.4f", loss), valLoss == null ? "-" : String.format("%.4f", valLoss),
                        row.valPerplexity() == null ? "-" : String.format("%.2f", row.valPerplexity()),
                        String.format("%.3g", lr), String.format("%.0f", row.tokensPerS()),
                        java.time.Duration.ofSeconds(Math.round(perStepSeconds * (end - step))));
                if (checkpoints != null && (step % train.checkpointEvery() == 0 || step == end)) {
                    lastCheckpoint = checkpoints.save(net, new Checkpoints.State(step, tokens, position));
                    MetricsTable.write(spark, rows, metricsDir);
                }
            }
            tm.deleteTempFiles(jsc);
            return new PretrainResult(sparkNet.getNetwork(), Collections.unmodifiableList(rows), step, tokens,
                    lastCheckpoint, resumedFrom);
        } finally {
            stream.unpersist(false);
            if (validation != null) {
                validation.unpersist(false);
            }
        }
    }

    private static long nextMultiple(long step, int every) {
        return (step / every + 1) * every;
    }

    static boolean validWindow(int[] w, int t, int vocab) {
        if (w.length != t + 1) {
            return false;
        }
        for (int id : w) {
            if (id < 0 || id >= vocab) {
                return false;
            }
        }
        return true;
    }

    private static boolean finite(INDArray params) {
        // A NaN or an infinity anywhere makes the sum NaN or infinite.
        return Double.isFinite(params.sumNumber().doubleValue());
    }

    /** Training windows as (position in the stream, tokens), positions 0.. in window_id order. */
    static JavaPairRDD<Long, int[]> trainStream(Dataset<Row> windows) {
        JavaRDD<int[]> ordered = windows.where(col("split").equalTo(PackResult.TRAIN))
                .select("window_id", "tokens").javaRDD()
                .mapToPair(r -> new Tuple2<>(r.getLong(0), toInts(r.getList(1))))
                .sortByKey(true)
                .values();
        return ordered.zipWithIndex().mapToPair(x -> new Tuple2<>(x._2(), x._1()));
    }

    private static JavaRDD<DataSet> validationSet(Dataset<Row> windows, int max, int t, int vocab) {
        if (max == 0) {
            return null;
        }
        List<Row> rows = windows.where(col("split").equalTo(PackResult.VALIDATION))
                .orderBy("window_id").limit(max).select("tokens").collectAsList();
        List<int[]> ws = new ArrayList<>();
        for (Row r : rows) {
            int[] w = toInts(r.getList(0));
            if (validWindow(w, t, vocab)) {
                ws.add(w);
            }
        }
        if (ws.isEmpty()) {
            return null;
        }
        JavaRDD<DataSet> rdd = JavaSparkContext.fromSparkContext(windows.sparkSession().sparkContext())
                .parallelize(ws).map(w -> GptModel.dataSet(new int[][] {w}, t, DataType.FLOAT));
        rdd.persist(StorageLevel.MEMORY_AND_DISK_SER());
        return rdd;
    }

    /**
     * The examples at stream positions from, from + 1, .., from + count - 1, each taken modulo the stream
     * length n (a window appears more than once when count exceeds n).
     */
    static JavaRDD<DataSet> slice(JavaPairRDD<Long, int[]> stream, long from, long count, long n, int t) {
        long start = from % n;
        return stream.flatMap(x -> {
            long d = Math.floorMod(x._1() - start, n);
            if (d >= count) {
                return Collections.emptyIterator();
            }
            long copies = (count - 1 - d) / n + 1;
            List<DataSet> out = new ArrayList<>();
            for (long i = 0; i < copies; i++) {
                out.add(GptModel.dataSet(new int[][] {x._2()}, t, DataType.FLOAT));
            }
            return out.iterator();
        });
    }

    private static int[] toInts(List<Integer> list) {
        int[] a = new int[list.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = list.get(i);
        }
        return a;
    }
}
