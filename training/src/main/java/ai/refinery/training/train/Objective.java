package ai.refinery.training.train;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;

import java.io.Serializable;
import java.util.List;

/**
 * What a training run minimises, as the loop sees it: how examples become a minibatch for the model and how many
 * loss-bearing targets each example holds. The loop owns everything else (data stream, rounds of parameter
 * averaging, schedule, evaluation, checkpoints), so pretraining, supervised fine-tuning and later objectives
 * share it.
 *
 * <p>Normalisation: the loss of a step is the sum of its targets' losses divided by the number of targets of that
 * step across all workers. The loop passes each worker the weight per target that achieves it
 * ({@code workers / targets of the step}); the objective puts it into the minibatch's loss weights.
 */
public interface Objective extends Serializable {

    /** Name written to the run's manifest. */
    String name();

    /** Targets of an example that carry loss. */
    default int targets(TrainingExample example) {
        return example.targets();
    }

    /** Targets of the examples that carry loss. */
    default long targets(List<TrainingExample> examples) {
        long n = 0;
        for (TrainingExample e : examples) {
            n += targets(e);
        }
        return n;
    }

    /**
     * A minibatch of the examples, its loss weighted by weightPerTarget on every target that carries loss and 0
     * on the others.
     */
    DataSet minibatch(List<TrainingExample> examples, int contextLength, double weightPerTarget, DataType type);
}
