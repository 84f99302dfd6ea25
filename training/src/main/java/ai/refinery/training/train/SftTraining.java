package ai.refinery.training.train;

import ai.refinery.core.config.ConfigError;
import ai.refinery.core.config.Section;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;

import java.util.Map;

/**
 * The training settings of a fine-tuning run: section "sft.train" of refinery.conf holds the settings whose SFT
 * defaults differ from pretraining's (learning rate, weight decay, warm-up, length in epochs, evaluation
 * interval); every other setting is train's. Precedence, highest first: sft.train.X set by the user, train.X set
 * by the user, the sft.train default, the train default. So {@code --set train.max_steps=50} bounds an sft run as
 * it bounds a pretraining run.
 *
 * <p>Length: {@code max_steps = 0} (the default) means {@code epochs} passes over the training windows,
 * {@code ceil(epochs x train windows / (workers x batch_size_per_worker))} steps. Warm-up:
 * {@code ceil(warmup_fraction x max_steps)} steps unless train.warmup_steps is set.
 */
public final class SftTraining {
    public static final String SECTION = "sft.train";
    static final String EPOCHS = "epochs";
    static final String WARMUP_FRACTION = "warmup_fraction";

    private SftTraining() {
    }

    /** The train section with the SFT values in (max_steps may still be 0: derived from the data). */
    static Config trainSection(Config config, Config user) {
        Config merged = config.getConfig(SECTION);
        for (Map.Entry<String, ConfigValue> e : config.getConfig(SECTION).entrySet()) {
            String key = e.getKey();
            if (!user.hasPath(SECTION + "." + key) && user.hasPath("train." + key)) {
                merged = merged.withValue(key, config.getValue("train." + key));
            }
        }
        return merged.withoutPath(EPOCHS).withoutPath(WARMUP_FRACTION).withFallback(config.getConfig("train"));
    }

    /** sft.train.epochs: passes over the training windows when max_steps is 0. */
    static double epochs(Config config) {
        double e = new Section(config, SECTION).doubleIn(EPOCHS, 0, 1e6);
        if (e <= 0) {
            throw ConfigError.forKey(SECTION + "." + EPOCHS, "must be above 0, got " + e);
        }
        return e;
    }

    static double warmupFraction(Config config) {
        return new Section(config, SECTION).fraction(WARMUP_FRACTION);
    }

    /** Checks every setting before Spark starts (max_steps 0 stands for a value derived later). */
    static void check(Config config, Config user) {
        epochs(config);
        warmupFraction(config);
        TrainSettings.from(asTrain(config, trainSection(config, user), 1, 0));
    }

    /** What the loop runs with and how the length was decided. */
    record Resolved(TrainSettings train, double epochs, long stepsPerEpoch) {
    }

    /**
     * The loop's settings for a data set of trainWindows training windows.
     *
     * @param workers the workers the run will have (train.workers, or Spark's default parallelism)
     */
    static Resolved resolve(Config config, Config user, long trainWindows, int workers) {
        Config section = trainSection(config, user);
        double epochs = epochs(config);
        int batch = section.getInt("batch_size_per_worker");
        long perStep = (long) Math.max(1, workers) * batch;
        long stepsPerEpoch = Math.max(1, (trainWindows + perStep - 1) / perStep);
        int maxSteps = section.getInt("max_steps");
        if (maxSteps <= 0) {
            maxSteps = (int) Math.min(Integer.MAX_VALUE, Math.max(1, (long) Math.ceil(epochs * trainWindows / perStep)));
        }
        int warmup = user.hasPath("train.warmup_steps") ? section.getInt("warmup_steps")
                : (int) Math.ceil(warmupFraction(config) * maxSteps);
        return new Resolved(TrainSettings.from(asTrain(config, section, maxSteps, warmup)), epochs, stepsPerEpoch);
    }

    private static Config asTrain(Config config, Config section, int maxSteps, int warmup) {
        Config train = section.withValue("max_steps", ConfigFactory.parseString("v = " + Math.max(1, maxSteps)).getValue("v"))
                .withValue("warmup_steps", ConfigFactory.parseString("v = " + warmup).getValue("v"));
        return ConfigFactory.empty().withValue("train", train.root()).withFallback(config);
    }
}
