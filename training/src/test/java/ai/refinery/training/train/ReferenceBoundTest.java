package ai.refinery.training.train;

import ai.refinery.training.SparkTestSession;
import org.apache.spark.sql.SaveMode;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tiny model trained by the loop on a fixed real corpus (TrainingData's Europarl windows) must learn as well as
 * an independent PyTorch implementation of the same model and loop does from the same initial parameters
 * (bench/reference/gpt_reference.py). The bound is the reference's validation loss on this data, plus the 2% the
 * parity benchmark allows a single worker.
 *
 * <p>To measure the reference again: run this test with {@code -Drefinery.parity.export=DIR} (it writes the
 * packed windows to DIR/packed), then {@code bench/run-java.sh ExportInitialParams SETTINGS DIR/init DIR/packed}
 * and {@code bench/.venv/bin/python bench/reference/gpt_reference.py --params DIR/init --data DIR/packed --out
 * DIR/reference.json} with SETTINGS = {@link #SETTINGS} as --set options over conf/model-tiny.conf.
 */
class ReferenceBoundTest {
    /** The settings of both implementations (over conf/refinery.conf and conf/model-tiny.conf). */
    static final List<String> SETTINGS = List.of("model.vocab_size=" + TrainingData.VOCAB,
            "model.context_length=" + TrainingData.CONTEXT, "train.workers=1", "train.batch_size_per_worker=8",
            "train.averaging_frequency=5", "train.max_steps=60", "train.warmup_steps=5", "train.learning_rate=3e-3",
            "train.min_learning_rate=3e-4", "train.eval_every=20", "train.eval_windows=64", "train.seed=42");
    /**
     * gpt_reference.py's validation loss at steps 20, 40 and 60 (8 validation windows; PyTorch 2.13.0+cpu, one
     * thread; the same initial loss as the Java model's, 5.714366, to 4.8e-8).
     */
    private static final double[] REFERENCE = {4.481525, 4.225500, 4.167894};

    @Test
    void theLoopLearnsAsWellAsTheIndependentReference() throws Exception {
        String export = System.getProperty("refinery.parity.export");
        if (export != null) {
            TrainingData.windows().write().mode(SaveMode.Overwrite).partitionBy("split")
                    .parquet(Path.of(export, "packed", "data").toUri().toString());
        }
        String[] overrides = SETTINGS.stream().map(s -> s.replaceFirst("=", " = ")).toArray(String[]::new);
        TrainSettings s = TrainSettings.from(TrainingData.conf(overrides));
        TrainResult r = TrainingLoop.onPackedWindows(SparkTestSession.get(), TrainingData.windows(),
                ai.refinery.training.model.ModelSettings.from(TrainingData.conf(overrides)), s, null, Integer.MAX_VALUE);
        assertEquals(3, r.metrics().size());
        for (int i = 0; i < REFERENCE.length; i++) {
            double ours = r.metrics().get(i).valLoss();
            System.err.printf("step %d: val_loss %.4f, reference %.4f%n", r.metrics().get(i).step(), ours, REFERENCE[i]);
            assertTrue(ours <= REFERENCE[i] * 1.02, "step " + r.metrics().get(i).step() + ": " + ours
                    + " against the reference's " + REFERENCE[i]);
        }
    }
}
