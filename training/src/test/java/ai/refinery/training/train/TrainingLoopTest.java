package ai.refinery.training.train;

import ai.refinery.training.SparkTestSession;
import ai.refinery.training.model.GptModel;
import ai.refinery.training.model.ModelSettings;
import ai.refinery.training.pack.PackResult;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;

import java.nio.file.Path;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainingLoopTest {
    private static ModelSettings model() {
        return ModelSettings.from(TrainingData.conf()).withVocabSize(TrainingData.VOCAB)
                .withContextLength(TrainingData.CONTEXT);
    }

    private static TrainSettings train(Path dir, String... overrides) {
        String[] all = new String[overrides.length + 1];
        all[0] = "train { workers = 2, batch_size_per_worker = 4, averaging_frequency = 5,"
                + " learning_rate = 1e-2, min_learning_rate = 1e-3, warmup_steps = 5, weight_decay = 0.0,"
                + " eval_every = 10, eval_windows = 8, checkpoint_every = 10, keep_checkpoints = 2, resume = true }";
        System.arraycopy(overrides, 0, all, 1, overrides.length);
        return TrainSettings.from(TrainingData.conf(all));
    }

    private static TrainResult run(ModelSettings m, TrainSettings s, String runDir) throws Exception {
        return run(m, s, runDir, Integer.MAX_VALUE);
    }

    private static TrainResult run(ModelSettings m, TrainSettings s, String runDir, int stopAt) throws Exception {
        SparkSession spark = SparkTestSession.get();
        return TrainingLoop.onPackedWindows(spark, TrainingData.windows(), m, s, runDir, stopAt);
    }

    /** Mean loss per token of a model over all training windows, computed on the driver. */
    private static double trainLoss(ComputationGraph g) throws Exception {
        List<Row> rows = TrainingData.windows().where(col("split").equalTo(PackResult.TRAIN)).select("tokens").collectAsList();
        int[][] w = new int[rows.size()][];
        for (int i = 0; i < w.length; i++) {
            List<Integer> l = rows.get(i).getList(0);
            w[i] = l.stream().mapToInt(Integer::intValue).toArray();
        }
        DataSet d = GptModel.dataSet(w, TrainingData.CONTEXT, DataType.FLOAT);
        return GptModel.lossPerToken(g, d);
    }

    @Test
    void tinyModelOverfitsARealParagraphOnTwoWorkers(@TempDir Path dir) throws Exception {
        SparkSession spark = SparkTestSession.get();
        long trainWindows = TrainingData.windows().where(col("split").equalTo(PackResult.TRAIN)).count();
        assertTrue(trainWindows >= 10, "too few windows: " + trainWindows);
        TrainSettings s = train(dir, "train.max_steps = 100", "train.learning_rate = 1e-2", "train.min_learning_rate = 1e-3",
                "train.eval_every = 20", "train.checkpoint_every = 20");
        TrainResult r = run(model(), s, dir.toUri().toString());

        assertEquals(100, r.step());
        assertEquals(100L * 2 * 4 * TrainingData.CONTEXT, r.tokens());
        List<MetricRow> m = r.metrics();
        assertEquals(5, m.size()); // one row per 20 steps
        assertEquals(20, m.get(0).step());
        // Uniform guessing over 300 tokens costs ln(300) = 5.70 nats per token; 100 steps on ~1,300 characters
        // must get far below it. Measured: 2.62 (lr 1e-2, global clip 1.0); bound 3.5 on the whole training set.
        double finalLoss = trainLoss(r.model());
        System.err.println("final training loss " + finalLoss);
        assertTrue(finalLoss < 3.5, "training loss " + finalLoss);
        assertTrue(m.get(4).loss() < m.get(0).loss());
        assertNotNull(m.get(4).valLoss());
        // Learning rate: warm-up 5 steps then cosine from 1e-2 to 1e-3 at step 100.
        assertEquals(s.schedule().valueAt(99, 0), m.get(4).lr(), 1e-12);
        assertEquals(1e-3, m.get(4).lr(), 1e-5);
        assertEquals(s.schedule().valueAt(19, 0), m.get(0).lr(), 1e-12);
        // metrics/ Parquet and the two newest checkpoints.
        List<MetricRow> written = MetricsTable.read(spark, dir.toUri() + "/metrics");
        assertEquals(m, written);
        Checkpoints c = new Checkpoints(dir.toUri() + "/checkpoints", spark.sparkContext().hadoopConfiguration(), 2);
        assertEquals(List.of("step-000000080", "step-000000100"), c.list().stream().map(p -> p.getName()).toList());
        Checkpoints.Loaded last = c.loadLatest().orElseThrow();
        assertEquals(new Checkpoints.State(100, r.tokens(), 100L * 8), last.state());
        assertEquals(finalLoss, trainLoss(last.model()), 1e-5);
        assertTrue(last.model().getUpdater().getStateViewArray().sumNumber().doubleValue() != 0, "Adam state saved");
    }

    @Test
    void resumingLandsNearAnUninterruptedRun(@TempDir Path straight, @TempDir Path split) throws Exception {
        SparkSession spark = SparkTestSession.get();
        TrainSettings s = train(straight, "train.max_steps = 20");
        TrainResult whole = run(model(), s, straight.toUri().toString());

        TrainSettings s2 = train(split, "train.max_steps = 20");
        TrainResult first = run(model(), s2, split.toUri().toString(), 10);
        assertEquals(10, first.step());
        // A driver killed between the checkpoint and the metrics write: the checkpoint carries the history.
        org.apache.commons.io.FileUtils.deleteDirectory(split.resolve("metrics").toFile());
        TrainResult second = run(model(), s2, split.toUri().toString());
        assertEquals(10, second.resumedFromStep());
        assertEquals(20, second.step());
        assertEquals(whole.tokens(), second.tokens());
        assertEquals(2, second.metrics().size());
        assertEquals(whole.metrics().get(1).lr(), second.metrics().get(1).lr(), 1e-12);
        assertEquals(first.metrics().get(0), second.metrics().get(0), "the first interval's row survives the lost metrics/");

        double a = trainLoss(whole.model());
        double b = trainLoss(second.model());
        // Same data in the same order, the schedule and Adam's bias correction at the global step, Adam's state
        // carried over in the checkpoint: the resumed run takes the uninterrupted run's steps.
        assertEquals(a, b, 1e-4 * a, "straight " + a + " vs resumed " + b);
        double params = whole.model().params().sub(second.model().params()).amaxNumber().doubleValue();
        assertTrue(params < 1e-5, "parameters differ by " + params);
    }

    @Test
    void divergenceStopsWithAClearErrorAndKeepsTheLastGoodCheckpoint(@TempDir Path dir) throws Exception {
        SparkSession spark = SparkTestSession.get();
        String run = dir.toUri().toString();
        run(model(), train(dir, "train.max_steps = 40"), run, 10);
        // Resume with an absurd learning rate: parameters blow up to infinity within a few steps.
        TrainSettings bad = train(dir, "train.max_steps = 40", "train.learning_rate = 1e30", "train.min_learning_rate = 1e30");
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> run(model(), bad, run));
        assertEquals(15, e.step()); // the first averaging round after the resume
        assertTrue(e.lastGoodCheckpoint().endsWith("step-000000010"), e.lastGoodCheckpoint());
        assertTrue(e.getMessage().contains("NaN") || e.getMessage().contains("Infinity"), e.getMessage());
        Checkpoints c = new Checkpoints(run + "/checkpoints", spark.sparkContext().hadoopConfiguration(), 2);
        assertEquals(1, c.list().size());
        assertTrue(Double.isFinite(trainLoss(c.loadLatest().orElseThrow().model())));
    }

    @Test
    void windowsOfTheWrongLengthAreRefused(@TempDir Path dir) throws Exception {
        SparkSession spark = SparkTestSession.get();
        ModelSettings longer = model().withContextLength(TrainingData.CONTEXT * 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> run(longer, train(dir, "train.max_steps = 5"), null));
        assertTrue(e.getMessage().contains("context_length + 1 = 33"), e.getMessage());
    }
}
