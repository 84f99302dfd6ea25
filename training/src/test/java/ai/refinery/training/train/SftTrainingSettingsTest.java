package ai.refinery.training.train;

import ai.refinery.core.config.ConfigError;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

import java.io.File;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The train settings of a fine-tuning run: sft.train's defaults, train's, and what the user set. */
class SftTrainingSettingsTest {

    private static Config user(String hocon) {
        return ConfigFactory.parseString(hocon);
    }

    private static Config config(Config user) {
        return user.withFallback(ConfigFactory.parseFile(new File("../conf/refinery.conf"))).resolve();
    }

    private static SftTraining.Resolved resolve(String userHocon, long windows, int workers) {
        Config u = user(userHocon);
        return SftTraining.resolve(config(u), u, windows, workers);
    }

    @Test
    void sftDefaultsReplaceTrainDefaultsAndTheLengthIsInEpochs() {
        SftTraining.Resolved r = resolve("", 1000, 2);
        Config defaults = config(user(""));
        assertEquals(defaults.getDouble("sft.train.learning_rate"), r.train().learningRate());
        assertEquals(defaults.getDouble("sft.train.weight_decay"), r.train().weightDecay());
        // 3 epochs of 1000 windows at 2 workers x 16 windows a step: ceil(3000 / 32) steps, 3% of them warm-up.
        assertEquals(94, r.train().maxSteps());
        assertEquals(32, r.stepsPerEpoch());
        assertEquals(3, r.train().warmupSteps());
        assertEquals(defaults.getInt("train.batch_size_per_worker"), r.train().batchSizePerWorker(), "from train");
    }

    @Test
    void whatTheUserSetWinsSftTrainFirst() {
        SftTraining.Resolved r = resolve("train { max_steps = 40, learning_rate = 1e-3, warmup_steps = 7 }", 1000, 2);
        assertEquals(40, r.train().maxSteps());
        assertEquals(1e-3, r.train().learningRate());
        assertEquals(7, r.train().warmupSteps());
        r = resolve("train.learning_rate = 1e-3, sft.train.learning_rate = 2e-4, sft.train.epochs = 1", 100, 1);
        assertEquals(2e-4, r.train().learningRate());
        assertEquals(7, r.train().maxSteps(), "ceil(100 / 16)");
        assertEquals(1, r.train().warmupSteps(), "ceil(3% of 7)");
    }

    @Test
    void badValuesNameTheirKey() {
        Config u = user("sft.train.epochs = 0");
        ConfigError e = assertThrows(ConfigError.class, () -> SftTraining.check(config(u), u));
        assertEquals(true, e.getMessage().contains("sft.train.epochs"), e.getMessage());
        Config f = user("sft.train.warmup_fraction = 2");
        e = assertThrows(ConfigError.class, () -> SftTraining.check(config(f), f));
        assertEquals(true, e.getMessage().contains("sft.train.warmup_fraction"), e.getMessage());
    }
}
