package ai.refinery.training.train;

import ai.refinery.training.SparkTestSession;
import ai.refinery.training.model.GptModel;
import ai.refinery.training.model.ModelSettings;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How well training uses the CPU. Off by default:
 * <pre>
 * mvn -B -q -o -pl data-pipeline,training test -Dtest=TrainingEfficiencyBenchmarkTest -Drefinery.bench=true \
 *     -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 * (prints to training/target/surefire-reports/*TrainingEfficiencyBenchmarkTest-output.txt). Times are CPU
 * time of the measuring thread (one native thread: Surefire sets OMP_NUM_THREADS=1) or of the whole process
 * for Spark, next to wall-clock time: on a shared machine CPU time is the figure that does not depend on
 * what else runs.
 */
class TrainingEfficiencyBenchmarkTest {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    @BeforeEach
    void onlyWhenAsked() {
        Assumptions.assumeTrue(Boolean.getBoolean("refinery.bench"), "set -Drefinery.bench=true to run");
    }

    /** Nanoseconds of CPU this thread has used. */
    private static long threadCpu() {
        return THREADS.getCurrentThreadCpuTime();
    }

    /** Nanoseconds of CPU the whole JVM (driver, Spark tasks, GC) has used. */
    private static long processCpu() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** ND4J's float matrix product of two n x n matrices: FLOP/s by thread CPU time and by wall time. */
    private static double[] matmulFlops(int n, int reps) {
        INDArray a = Nd4j.rand(DataType.FLOAT, n, n);
        INDArray b = Nd4j.rand(DataType.FLOAT, n, n);
        INDArray c = Nd4j.create(DataType.FLOAT, n, n);
        for (int i = 0; i < 2; i++) {
            Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
        }
        long cpu = threadCpu();
        long wall = System.nanoTime();
        for (int i = 0; i < reps; i++) {
            Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
        }
        double flops = 2.0 * n * n * n * reps;
        return new double[] {flops / ((threadCpu() - cpu) / 1e9), flops / ((System.nanoTime() - wall) / 1e9)};
    }

    /** CPU seconds per call of a step, averaged over n calls. */
    private static double cpuSecondsPerCall(int n, Runnable step) {
        long cpu = threadCpu();
        for (int i = 0; i < n; i++) {
            step.run();
        }
        return (threadCpu() - cpu) / 1e9 / n;
    }

    /**
     * Achieved model FLOP/s of the small model against ND4J's matrix product on the same single native
     * thread, with the step split into forward, forward + backward and updater.
     */
    @Test
    void smallModelFlopsAgainstMatmul() throws Exception {
        ModelSettings m = TrainingData.namedModel("small");
        TrainSettings t = TrainSettings.from(TrainingData.conf());
        long flopsPerToken = m.trainingFlopsPerToken();
        System.err.printf("small: %,d model FLOPs per training token (ModelSettings.trainingFlopsPerToken)%n", flopsPerToken);
        double[] before = matmulFlops(1024, 12);
        double[] big = matmulFlops(2048, 3);
        System.err.printf("matmul 1024^3: %.1f GFLOP/s (CPU time), %.1f (wall); 2048^3: %.1f (CPU), %.1f (wall)%n",
                before[0] / 1e9, before[1] / 1e9, big[0] / 1e9, big[1] / 1e9);
        double matmul = Math.max(before[0], big[0]);
        for (int batch : new int[] {4, 8, 16}) {
            ComputationGraph g = GptModel.build(m, t.optimization(), DataType.FLOAT, 1);
            DataSet d = TrainingData.randomBatch(m, batch, 1);
            int steps = Math.max(2, 24 / batch);
            cpuSecondsPerCall(2, () -> g.fit(d));
            long wall = System.nanoTime();
            double fit = cpuSecondsPerCall(steps, () -> g.fit(d));
            double fitWall = (System.nanoTime() - wall) / 1e9 / steps;
            double forward = cpuSecondsPerCall(steps, () -> g.output(false, d.getFeatures()));
            double forwardBackward = cpuSecondsPerCall(steps, () -> {
                g.setInputs(d.getFeatures());
                g.setLabels(d.getLabels());
                g.computeGradientAndScore();
            });
            long tokens = (long) batch * m.contextLength();
            double achieved = flopsPerToken * tokens / fit;
            System.err.printf("batch %2d x %d: step %.0f ms CPU (%.0f ms wall), forward %.0f ms, forward+backward %.0f ms,"
                            + " updater %.0f ms; %.0f tokens/s CPU; %.1f GFLOP/s = %.1f%% of matmul%n",
                    batch, m.contextLength(), 1000 * fit, 1000 * fitWall, 1000 * forward, 1000 * forwardBackward,
                    1000 * (fit - forwardBackward), tokens / fit, achieved / 1e9, 100 * achieved / matmul);
            assertTrue(Double.isFinite(g.score()) && achieved > 0);
        }
        double[] after = matmulFlops(1024, 12);
        System.err.printf("matmul 1024^3 again at the end: %.1f GFLOP/s (CPU time)%n", after[0] / 1e9);
    }

    /** Training settings for a benchmark run: no checkpoints, evaluation only at the end. */
    private static TrainSettings benchSettings(Path dir, int workers, int batch, int averaging, int steps, double lr) {
        return TrainSettings.from(TrainingData.conf(String.format(
                "train { workers = %d, batch_size_per_worker = %d, averaging_frequency = %d, max_steps = %d,"
                        + " eval_every = %d, checkpoint_every = %d, warmup_steps = %d, learning_rate = %s,"
                        + " min_learning_rate = %s, eval_windows = 256 }",
                workers, batch, averaging, steps, steps, steps, Math.max(1, steps / 10), lr, lr / 10)));
    }

    /**
     * CPU time of Spark's tasks by stage: the sum, and the largest task (what a stage costs when its tasks
     * run side by side on free cores).
     */
    private static final class TaskCpu extends SparkListener {
        final Map<Integer, long[]> byStage = new HashMap<>();

        @Override
        public synchronized void onTaskEnd(SparkListenerTaskEnd end) {
            if (end.taskMetrics() != null) {
                long cpu = end.taskMetrics().executorCpuTime();
                long[] s = byStage.computeIfAbsent(end.stageId(), k -> new long[2]);
                s[0] += cpu;
                s[1] = Math.max(s[1], cpu);
            }
        }

        synchronized double sumSeconds() {
            return byStage.values().stream().mapToLong(s -> s[0]).sum() / 1e9;
        }

        synchronized double criticalPathSeconds() {
            return byStage.values().stream().mapToLong(s -> s[1]).sum() / 1e9;
        }
    }

    /**
     * @param criticalCpuSeconds CPU time on the longest path: the driver's own CPU time (process CPU time less
     *                           the tasks') plus, stage by stage, the largest task's; the run time to expect
     *                           with a free core per worker
     */
    private record Run(double seconds, double cpuSeconds, double criticalCpuSeconds, long tokens, double valLoss) {
        double tokensPerSecond() {
            return tokens / seconds;
        }

        double cpuSecondsPer1kTokens() {
            return 1000 * cpuSeconds / tokens;
        }
    }

    private static Run train(SparkSession spark, Dataset<Row> windows, ModelSettings m, TrainSettings s)
            throws TimeoutException {
        TaskCpu tasks = new TaskCpu();
        spark.sparkContext().addSparkListener(tasks);
        long cpu = processCpu();
        long wall = System.nanoTime();
        TrainResult r = TrainingLoop.onPackedWindows(spark, windows, m, s, null, Integer.MAX_VALUE);
        double seconds = (System.nanoTime() - wall) / 1e9;
        double cpuSeconds = (processCpu() - cpu) / 1e9;
        spark.sparkContext().listenerBus().waitUntilEmpty(); // task metrics arrive asynchronously
        spark.sparkContext().removeSparkListener(tasks);
        Run run = new Run(seconds, cpuSeconds, cpuSeconds - tasks.sumSeconds() + tasks.criticalPathSeconds(), r.tokens(),
                r.metrics().get(r.metrics().size() - 1).valLoss());
        assertEquals(s.maxSteps(), r.step());
        assertTrue(Double.isFinite(run.valLoss()));
        return run;
    }

    /**
     * The small model through Spark local[2] on Europarl: 2 workers against 1 on the same total number of
     * windows (so the 1-worker run takes twice the steps), alternating, after a warm-up run. Sizes from system
     * properties: refinery.bench.batch (windows per worker and step, default 4), refinery.bench.rounds
     * (averaging rounds of the 2-worker run, default 3) and refinery.bench.repeats (runs of each, default 2);
     * averaging every 5 steps.
     */
    @Test
    void twoWorkersAgainstOne(@TempDir Path dir) throws Exception {
        SparkSession spark = SparkTestSession.get();
        ModelSettings m = TrainingData.namedModel("small");
        Dataset<Row> windows = TrainingData.europarlWindows(1_500_000, m.vocabSize(), m.contextLength());
        int batch = Integer.getInteger("refinery.bench.batch", 4);
        int rounds = Integer.getInteger("refinery.bench.rounds", 3);
        int repeats = Integer.getInteger("refinery.bench.repeats", 2);
        int averaging = 5;
        int windowsPerRun = 2 * batch * averaging * rounds;
        train(spark, windows, m, benchSettings(dir, 2, 4, averaging, averaging, 1e-3)); // warm-up
        double[] wall = new double[2];
        double[] cpu = new double[2];
        double[] path = new double[2];
        for (int round = 0; round < repeats; round++) {
            for (int workers = 1; workers <= 2; workers++) {
                Run r = train(spark, windows, m, benchSettings(dir, workers, batch, averaging,
                        windowsPerRun / (workers * batch), 1e-3));
                wall[workers - 1] += r.seconds();
                cpu[workers - 1] += r.cpuSeconds();
                path[workers - 1] += r.criticalCpuSeconds();
                System.err.printf("small, %d worker(s), batch %d, averaging every %d: %,d tokens in %.1f s wall,"
                                + " %.0f tokens/s; %.1f CPU s (%.2f CPU s per 1k tokens), %.1f CPU s on the longest"
                                + " path; val loss %.3f%n",
                        workers, batch, averaging, r.tokens(), r.seconds(), r.tokensPerSecond(), r.cpuSeconds(),
                        r.cpuSecondsPer1kTokens(), r.criticalCpuSeconds(), r.valLoss());
            }
        }
        System.err.printf("2 workers / 1 worker: tokens/s x%.2f (wall, all runs); x%.2f by CPU time on the longest path"
                        + " (the speed-up with a free core per worker); CPU per token x%.2f;"
                        + " CPU use %.2f cores (1 worker) and %.2f cores (2 workers)%n",
                wall[0] / wall[1], path[0] / path[1], cpu[1] / cpu[0], cpu[0] / wall[0], cpu[1] / wall[1]);
    }

    /**
     * Batch size per worker x averaging frequency on the tiny model, 2 workers in local[2], a fixed number of
     * training windows each, same peak learning rate; validation loss at the end.
     */
    @Test
    void batchSizeAndAveragingFrequency(@TempDir Path dir) throws Exception {
        SparkSession spark = SparkTestSession.get();
        ModelSettings m = TrainingData.namedModel("tiny").withVocabSize(2048);
        Dataset<Row> windows = TrainingData.europarlWindows(1_500_000, m.vocabSize(), m.contextLength());
        int windowsPerRun = 1280;
        double lr = 3e-3;
        train(spark, windows, m, benchSettings(dir, 2, 8, 5, 20, lr)); // warm-up
        System.err.printf("tiny (vocab %d), 2 workers, %,d windows (%,d tokens) per run, peak lr %s:%n",
                m.vocabSize(), windowsPerRun, windowsPerRun * m.contextLength(), lr);
        System.err.println("| batch per worker | averaging every | steps | tokens/s (wall) | CPU s per 1k tokens | val loss |");
        for (int batch : new int[] {4, 8, 16}) {
            for (int averaging : new int[] {1, 5, 10}) {
                int steps = windowsPerRun / (2 * batch);
                Run r = train(spark, windows, m, benchSettings(dir, 2, batch, averaging, steps, lr));
                System.err.printf("| %d | %d | %d | %.0f | %.3f | %.3f |%n", batch, averaging, steps,
                        r.tokensPerSecond(), r.cpuSecondsPer1kTokens(), r.valLoss());
            }
        }
    }
}
