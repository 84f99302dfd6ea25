package ai.refinery.training.pack;

import ai.refinery.core.config.ConfigError;
import ai.refinery.core.config.Section;
import com.typesafe.config.Config;

import java.io.Serializable;

/**
 * Settings of packing (section "pack" of conf/refinery.conf).
 *
 * @param contextLength        tokens the model sees per example; windows hold contextLength + 1 tokens
 * @param validationFraction   share of documents held out for validation
 * @param seed                 seed of the document and window shuffles
 * @param plannedEpochs        epochs the training run will make over the data (for the data budget)
 * @param repetitionConstant   R* of the data-constrained scaling law
 * @param maxRecommendedEpochs above this many planned epochs the stats carry a warning
 */
public record PackSettings(int contextLength, double validationFraction, long seed, double plannedEpochs,
                           double repetitionConstant, double maxRecommendedEpochs) implements Serializable {

    public PackSettings {
        if (contextLength < 1) {
            throw ConfigError.forKey("pack.context_length", "must be at least 1, got " + contextLength);
        }
        if (!(validationFraction >= 0 && validationFraction < 1)) {
            throw ConfigError.forKey("pack.validation_fraction", "must be in [0, 1), got " + validationFraction);
        }
        if (!(plannedEpochs > 0)) {
            throw ConfigError.forKey("pack.planned_epochs", "must be above 0, got " + plannedEpochs);
        }
        if (!(repetitionConstant > 0)) {
            throw ConfigError.forKey("pack.repetition_constant", "must be above 0, got " + repetitionConstant);
        }
    }

    public static PackSettings defaults() {
        return new PackSettings(256, 0.01, 42, 1, 15.4, 4);
    }

    public static PackSettings from(Config config) {
        Section s = new Section(config, "pack");
        return new PackSettings(
                s.intAtLeast("context_length", 1),
                s.doubleIn("validation_fraction", 0.0, 0.999999),
                s.longAtLeast("seed", Long.MIN_VALUE),
                s.doubleIn("planned_epochs", 1e-9, 1e9),
                s.doubleIn("repetition_constant", 1e-9, 1e9),
                s.doubleIn("max_recommended_epochs", 0, 1e9));
    }

    public PackSettings withContextLength(int t) {
        return new PackSettings(t, validationFraction, seed, plannedEpochs, repetitionConstant, maxRecommendedEpochs);
    }

    public PackSettings withValidationFraction(double f) {
        return new PackSettings(contextLength, f, seed, plannedEpochs, repetitionConstant, maxRecommendedEpochs);
    }

    public PackSettings withSeed(long s) {
        return new PackSettings(contextLength, validationFraction, s, plannedEpochs, repetitionConstant, maxRecommendedEpochs);
    }

    public PackSettings withPlannedEpochs(double e) {
        return new PackSettings(contextLength, validationFraction, seed, e, repetitionConstant, maxRecommendedEpochs);
    }
}
