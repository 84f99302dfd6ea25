package ai.refinery.training.train;

import ai.refinery.training.SparkTestSession;
import ai.refinery.training.model.GptModel;
import ai.refinery.training.model.ModelSettings;
import ai.refinery.training.pack.PackResult;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the workers of the training loop really do, observed from the parameters they produce: the learning rate
 * at the global step in every averaging round, Adam's state and bias correction carried across rounds, the loss
 * normalised over the targets of a whole step, and no crash for unusual but valid settings.
 */
class ParameterAveragingTest {
    private static final int T = TrainingData.CONTEXT;

    private static ModelSettings model() {
        return ModelSettings.from(TrainingData.conf()).withVocabSize(TrainingData.VOCAB).withContextLength(T);
    }

    private static TrainSettings settings(String... overrides) {
        String[] all = new String[overrides.length + 1];
        all[0] = "train { batch_size_per_worker = 2, averaging_frequency = 3, max_steps = 7, warmup_steps = 10,"
                + " learning_rate = 0.5, min_learning_rate = 0.05, weight_decay = 0.0, gradient_clip = 0,"
                + " eval_every = 100, eval_windows = 0, checkpoint_every = 100, seed = 11 }";
        System.arraycopy(overrides, 0, all, 1, overrides.length);
        return TrainSettings.from(TrainingData.conf(all));
    }

    private static TrainResult train(Dataset<Row> windows, TrainSettings s) {
        return TrainingLoop.onPackedWindows(SparkTestSession.get(), windows, model(), s, null, Integer.MAX_VALUE);
    }

    private static List<TrainingExample> stream(Dataset<Row> windows, long count) {
        try (PackedWindows data = new PackedWindows(windows, T, TrainingData.VOCAB)) {
            return data.trainRange(0, count);
        }
    }

    /** Gradient of the weighted loss of the examples at the given parameters (no updater, no clipping). */
    private static INDArray gradient(ComputationGraph probe, INDArray params, List<TrainingExample> examples,
                                     double weight) {
        probe.params().assign(params);
        DataSet d = new NextTokenObjective().minibatch(examples, T, weight, DataType.FLOAT);
        probe.setInputs(d.getFeatures());
        probe.setLabels(d.getLabels());
        probe.setLayerMaskArrays(null, new INDArray[] {d.getLabelsMaskArray()});
        probe.computeGradientAndScore();
        INDArray g = probe.getFlattenedGradients().dup().reshape(params.shape());
        probe.clearLayerMaskArrays();
        return g;
    }

    /**
     * Plain-SGD parameter averaging computed by hand: each worker steps p -= lr(s) * g from the round's start,
     * the round ends with the mean; with restart, the rate restarts from step 0 every round (the old fault).
     */
    private static INDArray handSgd(TrainSettings s, int workers, List<TrainingExample> examples, boolean restart) {
        ComputationGraph probe = GptModel.build(model(), GptModel.Optimization.none(), DataType.FLOAT, s.seed());
        INDArray p = probe.params().dup();
        int b = s.batchSizePerWorker();
        WarmupCosineSchedule schedule = s.schedule();
        for (int start = 0; start < s.maxSteps(); start += s.averagingFrequency()) {
            int end = Math.min(s.maxSteps(), start + s.averagingFrequency());
            INDArray sum = p.mul(0);
            for (int w = 0; w < workers; w++) {
                INDArray pw = p.dup();
                for (int step = start; step < end; step++) {
                    int from = (step * workers + w) * b;
                    INDArray g = gradient(probe, pw, examples.subList(from, from + b), 1.0 / (b * T));
                    pw.subi(g.muli(schedule.valueAt(restart ? step - start : step, 0)));
                }
                sum.addi(pw);
            }
            p = sum.divi(workers);
        }
        return p;
    }

    private static double maxDiff(INDArray a, INDArray b) {
        return a.reshape(a.length()).sub(b.reshape(b.length())).amaxNumber().doubleValue();
    }

    @Test
    void everyWorkerAppliesTheRateOfTheGlobalStepInEveryAveragingRound() throws Exception {
        Dataset<Row> windows = TrainingData.windows();
        for (int workers : new int[] {1, 2}) {
            TrainSettings s = settings("train.optimizer = sgd", "train.workers = " + workers);
            List<TrainingExample> examples = stream(windows, (long) s.maxSteps() * workers * s.batchSizePerWorker());
            INDArray trained = train(windows, s).model().params();

            INDArray expected = handSgd(s, workers, examples, false);
            INDArray restarted = handSgd(s, workers, examples, true);
            double movement = maxDiff(expected, GptModel.build(model(), GptModel.Optimization.none(), DataType.FLOAT,
                    s.seed()).params());
            double error = maxDiff(trained, expected);
            double restartGap = maxDiff(restarted, expected);
            // Steps 0..6 in rounds of 3: the rate rises through the warm-up, so a rate restarting every round
            // (rounds 2 and 3 at the rates of steps 0.. again) ends far from the global-step trajectory.
            assertTrue(restartGap > 100 * error, workers + " workers: restart gap " + restartGap + ", error " + error);
            assertTrue(error < 1e-3 * movement, workers + " workers: " + error + " off the hand computation, the "
                    + "parameters moved " + movement);
        }
    }

    @Test
    void adamsStateAndBiasCorrectionCarryAcrossRounds() throws Exception {
        Dataset<Row> windows = TrainingData.windows();
        TrainSettings s = settings("train.workers = 1", "train.learning_rate = 1e-2", "train.min_learning_rate = 1e-3",
                "train.warmup_steps = 3", "train.weight_decay = 0.1", "train.gradient_clip = 1.0");
        List<TrainingExample> examples = stream(windows, (long) s.maxSteps() * s.batchSizePerWorker());
        INDArray trained = train(windows, s).model().params();

        // The same seven AdamW steps in one process, no rounds: one worker's averaging is the identity.
        ComputationGraph straight = GptModel.build(model(), s.optimization(), DataType.FLOAT, s.seed());
        int b = s.batchSizePerWorker();
        for (int step = 0; step < s.maxSteps(); step++) {
            DataSet d = new NextTokenObjective().minibatch(examples.subList(step * b, step * b + b), T,
                    1.0 / (b * T), DataType.FLOAT);
            OptimizerStep.apply(straight, d, step, s.gradientClip());
        }
        double error = maxDiff(trained, straight.params());
        assertTrue(error < 1e-5, "rounds of averaging changed one worker's AdamW trajectory by " + error);
    }

    /** The train windows with a loss mask: the first two in stream order keep 1 target in 8, the others 7 in 8. */
    private static Dataset<Row> masked() throws Exception {
        SparkSession spark = SparkTestSession.get();
        List<Row> rows = new ArrayList<>(TrainingData.windows().where(col("split").equalTo(PackResult.TRAIN))
                .select("window_id", "split", "tokens").collectAsList());
        rows.sort(Comparator.comparingLong(r -> r.getLong(0)));
        List<Row> out = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            List<Integer> mask = new ArrayList<>();
            for (int j = 0; j < T; j++) {
                mask.add(i < 2 ? (j % 8 == 0 ? 1 : 0) : (j % 8 == 0 ? 0 : 1));
            }
            Row r = rows.get(i);
            out.add(RowFactory.create(r.getLong(0), r.getString(1), r.getList(2), mask));
        }
        return spark.createDataFrame(out, new StructType().add("window_id", DataTypes.LongType)
                .add("split", DataTypes.StringType)
                .add("tokens", DataTypes.createArrayType(DataTypes.IntegerType))
                .add(PackedWindows.LOSS_MASK, DataTypes.createArrayType(DataTypes.IntegerType)));
    }

    @Test
    void theLossIsNormalisedOverTheTargetsOfTheWholeStepNotPerWorker() throws Exception {
        Dataset<Row> windows = masked();
        // Two workers with 2 windows each (4 targets against 28) take the same SGD step as one worker with all 4.
        TrainSettings two = settings("train.optimizer = sgd", "train.workers = 2", "train.batch_size_per_worker = 2",
                "train.averaging_frequency = 1", "train.max_steps = 1", "train.warmup_steps = 0");
        TrainSettings one = settings("train.optimizer = sgd", "train.workers = 1", "train.batch_size_per_worker = 4",
                "train.averaging_frequency = 1", "train.max_steps = 1", "train.warmup_steps = 0");
        TrainResult a = train(windows, two);
        TrainResult b = train(windows, one);
        INDArray start = GptModel.build(model(), GptModel.Optimization.none(), DataType.FLOAT, two.seed()).params();
        double movement = maxDiff(b.model().params(), start);
        double error = maxDiff(a.model().params(), b.model().params());
        assertTrue(error < 1e-4 * movement, "2 workers differ from 1 by " + error + " (moved " + movement + ")");
        assertEquals(b.metrics().get(0).loss(), a.metrics().get(0).loss(), 1e-5);

        // The step's loss is the mean over its 32 targets, whatever the masked positions hold.
        List<TrainingExample> examples = stream(windows, 4);
        assertEquals(32, examples.stream().mapToInt(TrainingExample::targets).sum());
        ComputationGraph probe = GptModel.build(model(), GptModel.Optimization.none(), DataType.FLOAT, two.seed());
        DataSet d = new NextTokenObjective().minibatch(examples, T, 1.0 / 32, DataType.FLOAT);
        probe.score(d, false);
        assertEquals(probe.score(d, false) * 4, b.metrics().get(0).loss(), 1e-4);
    }

    @Test
    void validSettingsThatUsedToCrashOrWereRefusedNowTrain(@TempDir Path dir) throws Exception {
        Dataset<Row> windows = TrainingData.windows();
        // Averaging every step with one worker (a NullPointerException in DL4J's aggregation before).
        TrainResult every = train(windows, settings("train.workers = 1", "train.averaging_frequency = 1",
                "train.max_steps = 4"));
        assertEquals(4, every.step());

        // Three workers, 20 windows each: more windows per step than the data has (it wraps round), evaluation
        // and checkpoints at intervals that are not multiples of the averaging frequency, an input with empty
        // partitions.
        long trainWindows = windows.where(col("split").equalTo(PackResult.TRAIN)).count();
        assertTrue(trainWindows < 60, "the test wants fewer windows than a step takes: " + trainWindows);
        TrainSettings s = settings("train.workers = 3", "train.batch_size_per_worker = 20", "train.averaging_frequency = 4",
                "train.eval_every = 3", "train.eval_windows = 4", "train.checkpoint_every = 5", "train.keep_checkpoints = 5",
                "train.learning_rate = 1e-2", "train.min_learning_rate = 1e-3");
        SparkSession spark = SparkTestSession.get();
        String run = dir.toUri().toString();
        TrainResult r = TrainingLoop.onPackedWindows(spark, windows.repartition(16), model(), s, run, Integer.MAX_VALUE);
        assertEquals(List.of(3L, 5L, 6L, 7L), r.metrics().stream().map(MetricRow::step).toList());
        assertNotNull(r.metrics().get(0).valLoss());
        assertNull(r.metrics().get(1).valLoss());
        assertNotNull(r.metrics().get(2).valLoss());
        assertNotNull(r.metrics().get(3).valLoss());
        assertEquals(List.of("step-000000005", "step-000000007"),
                new Checkpoints(run + "/checkpoints", spark.sparkContext().hadoopConfiguration(), 5).list().stream()
                        .map(p -> p.getName()).toList());
        assertEquals(7L * 60 * T, r.tokens());

        // The same run on another partitioning of the input ends with the same parameters.
        TrainResult again = TrainingLoop.onPackedWindows(spark, windows.coalesce(1), model(), s, null, Integer.MAX_VALUE);
        assertEquals(0, maxDiff(r.model().params(), again.model().params()), 1e-6);
    }
}
