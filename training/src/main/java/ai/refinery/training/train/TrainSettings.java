package ai.refinery.training.train;

import ai.refinery.core.config.ConfigError;
import ai.refinery.core.config.Section;
import ai.refinery.training.model.GptModel;
import com.typesafe.config.Config;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.Sgd;

import java.io.Serializable;
import java.util.Set;

/** Settings of the training loop (section "train" of conf/refinery.conf; every field is documented there). */
public record TrainSettings(String optimizer, int workers, int batchSizePerWorker, int averagingFrequency, int maxSteps,
                            double learningRate, double minLearningRate, int warmupSteps, double beta1, double beta2,
                            double adamEpsilon, double weightDecay, double gradientClip, int evalEvery,
                            int evalWindows, int checkpointEvery, int keepCheckpoints, boolean resume, long seed)
        implements Serializable {
    public static final String ADAMW = "adamw";
    public static final String SGD = "sgd";

    public TrainSettings {
        if (minLearningRate > learningRate) {
            throw ConfigError.forKey("train.min_learning_rate", "must not exceed train.learning_rate");
        }
    }

    public static TrainSettings from(Config config) {
        Section s = new Section(config, "train");
        return new TrainSettings(
                s.oneOf("optimizer", Set.of(ADAMW, SGD)),
                s.intAtLeast("workers", 0),
                s.intAtLeast("batch_size_per_worker", 1),
                s.intAtLeast("averaging_frequency", 1),
                s.intAtLeast("max_steps", 1),
                s.doubleIn("learning_rate", 0, Double.MAX_VALUE),
                s.doubleIn("min_learning_rate", 0, Double.MAX_VALUE),
                s.intAtLeast("warmup_steps", 0),
                s.doubleIn("beta1", 0, 0.999999),
                s.doubleIn("beta2", 0, 0.999999999),
                s.doubleIn("adam_epsilon", 0, 1),
                s.doubleIn("weight_decay", 0, 10),
                s.nonNegative("gradient_clip"),
                s.intAtLeast("eval_every", 1),
                s.intAtLeast("eval_windows", 0),
                s.intAtLeast("checkpoint_every", 1),
                s.intAtLeast("keep_checkpoints", 1),
                s.bool("resume"),
                s.longAtLeast("seed", Long.MIN_VALUE));
    }

    public WarmupCosineSchedule schedule() {
        return new WarmupCosineSchedule(learningRate, minLearningRate, warmupSteps, maxSteps);
    }

    /**
     * AdamW (Adam with the schedule plus decoupled weight decay) or plain SGD with the schedule and the same
     * weight decay; the loop clips the global gradient norm.
     */
    public GptModel.Optimization optimization() {
        if (optimizer.equals(SGD)) {
            return new GptModel.Optimization(new Sgd(schedule()), weightDecay);
        }
        Adam adam = new Adam(schedule());
        adam.setBeta1(beta1);
        adam.setBeta2(beta2);
        adam.setEpsilon(adamEpsilon);
        return new GptModel.Optimization(adam, weightDecay);
    }

    /** Workers of a run: the setting, or Spark's default parallelism when it is 0. */
    public int workersOr(int defaultParallelism) {
        return workers > 0 ? workers : Math.max(1, defaultParallelism);
    }

    public TrainSettings withMaxSteps(int n) {
        return new TrainSettings(optimizer, workers, batchSizePerWorker, averagingFrequency, n, learningRate, minLearningRate,
                warmupSteps, beta1, beta2, adamEpsilon, weightDecay, gradientClip, evalEvery, evalWindows,
                checkpointEvery, keepCheckpoints, resume, seed);
    }

    public TrainSettings withLearningRate(double peak, double min) {
        return new TrainSettings(optimizer, workers, batchSizePerWorker, averagingFrequency, maxSteps, peak, min, warmupSteps,
                beta1, beta2, adamEpsilon, weightDecay, gradientClip, evalEvery, evalWindows, checkpointEvery,
                keepCheckpoints, resume, seed);
    }
}
