package ai.refinery.training.train;

import ai.refinery.core.config.ConfigError;
import ai.refinery.core.config.Section;
import ai.refinery.training.model.GptModel;
import com.typesafe.config.Config;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.nd4j.linalg.learning.config.Adam;

import java.io.Serializable;
import java.util.Set;

/** Settings of pretraining (section "train" of conf/refinery.conf; every field is documented there). */
public record TrainSettings(int workers, int batchSizePerWorker, int averagingFrequency, int prefetchBatches,
                            String rddTrainingApproach, String exportDir, int maxSteps, double learningRate,
                            double minLearningRate, int warmupSteps, double beta1, double beta2, double adamEpsilon,
                            double weightDecay, double gradientClip, int evalEvery, int evalWindows,
                            int checkpointEvery, int keepCheckpoints, boolean resume, long seed)
        implements Serializable {

    public TrainSettings {
        if (evalEvery % averagingFrequency != 0) {
            throw ConfigError.forKey("train.eval_every", "must be a multiple of train.averaging_frequency ("
                    + averagingFrequency + "), got " + evalEvery);
        }
        if (checkpointEvery % averagingFrequency != 0) {
            throw ConfigError.forKey("train.checkpoint_every", "must be a multiple of train.averaging_frequency ("
                    + averagingFrequency + "), got " + checkpointEvery);
        }
        if (minLearningRate > learningRate) {
            throw ConfigError.forKey("train.min_learning_rate", "must not exceed train.learning_rate");
        }
        if (!Set.of("export", "direct").contains(rddTrainingApproach)) {
            throw ConfigError.forKey("train.rdd_training_approach", "must be export or direct, got " + rddTrainingApproach);
        }
    }

    public static TrainSettings from(Config config) {
        Section s = new Section(config, "train");
        return new TrainSettings(
                s.intAtLeast("workers", 0),
                s.intAtLeast("batch_size_per_worker", 1),
                s.intAtLeast("averaging_frequency", 1),
                s.intAtLeast("prefetch_batches", 0),
                s.oneOf("rdd_training_approach", Set.of("export", "direct")),
                s.string("export_dir"),
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

    /** AdamW: Adam with the schedule, plus decoupled weight decay, plus per-layer gradient clipping. */
    public GptModel.Optimization optimization() {
        Adam adam = new Adam(schedule());
        adam.setBeta1(beta1);
        adam.setBeta2(beta2);
        adam.setEpsilon(adamEpsilon);
        return new GptModel.Optimization(adam, weightDecay, gradientClip);
    }

    public RDDTrainingApproach approach() {
        return rddTrainingApproach.equals("direct") ? RDDTrainingApproach.Direct : RDDTrainingApproach.Export;
    }

    public TrainSettings withMaxSteps(int n) {
        return new TrainSettings(workers, batchSizePerWorker, averagingFrequency, prefetchBatches, rddTrainingApproach,
                exportDir, n, learningRate, minLearningRate, warmupSteps, beta1, beta2, adamEpsilon, weightDecay,
                gradientClip, evalEvery, evalWindows, checkpointEvery, keepCheckpoints, resume, seed);
    }

    public TrainSettings withLearningRate(double peak, double min) {
        return new TrainSettings(workers, batchSizePerWorker, averagingFrequency, prefetchBatches, rddTrainingApproach,
                exportDir, maxSteps, peak, min, warmupSteps, beta1, beta2, adamEpsilon, weightDecay,
                gradientClip, evalEvery, evalWindows, checkpointEvery, keepCheckpoints, resume, seed);
    }
}
