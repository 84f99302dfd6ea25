package ai.refinery.training.train;

import ai.refinery.training.model.GptModel;
import ai.refinery.training.model.PackedPositions;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

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

    /**
     * The packed sequences of a minibatch of the examples, or null when every example is one sequence (then the
     * model runs exactly as without packing).
     */
    default PackedPositions positions(List<TrainingExample> examples, int contextLength) {
        boolean packed = false;
        for (TrainingExample e : examples) {
            packed |= e.positions() != null;
        }
        if (!packed) {
            return null;
        }
        int[][] p = new int[examples.size()][];
        for (int i = 0; i < p.length; i++) {
            int[] own = examples.get(i).positions();
            if (own == null) {
                own = new int[contextLength];
                for (int j = 0; j < contextLength; j++) {
                    own[j] = j;
                }
            }
            p[i] = own;
        }
        return PackedPositions.of(p);
    }

    /**
     * The graph on examples without training: the cross-entropy summed over the loss-bearing targets (as the
     * output layer scores it, probabilities floored at 1e-10), their number, and how many of them are the most
     * probable token (the lowest id among equal probabilities). One forward pass gives both. The default reads
     * the next-token labels and loss weights of {@link #minibatch}; an objective of another form overrides it.
     */
    default Evaluation evaluate(ComputationGraph graph, List<TrainingExample> examples, int contextLength) {
        DataSet batch = minibatch(examples, contextLength, 1.0, graph.getConfiguration().getDataType());
        INDArray p = GptModel.output(graph, batch.getFeatures(), positions(examples, contextLength)); // [n, vocabulary, T]
        int[] best = Nd4j.argMax(p, 1).castTo(DataType.INT).dup('c').reshape(-1).toIntVector(); // [n, T]
        int[] labels = batch.getLabels().castTo(DataType.INT).dup('c').reshape(-1).toIntVector(); // [n, 1, T]
        INDArray mask = batch.getLabelsMaskArray();
        double[] weights = mask == null ? null : mask.castTo(DataType.DOUBLE).dup('c').reshape(-1).toDoubleVector();
        int t = (int) p.size(2);
        double loss = 0;
        long targets = 0;
        long correct = 0;
        for (int n = 0; n < labels.length; n++) {
            double w = weights == null ? 1 : weights[n];
            if (w == 0) {
                continue;
            }
            loss -= w * Math.log(Math.max(p.getDouble(n / t, labels[n], n % t), 1e-10));
            targets++;
            correct += best[n] == labels[n] ? 1 : 0;
        }
        return new Evaluation(loss, targets, correct);
    }

    /**
     * Validation figures of some examples: loss summed over their loss-bearing targets, the targets, and those
     * predicted right (the most probable token).
     */
    record Evaluation(double lossSum, long targets, long correct) implements Serializable {
        public static final Evaluation NONE = new Evaluation(0, 0, 0);

        public Evaluation plus(Evaluation o) {
            return new Evaluation(lossSum + o.lossSum, targets + o.targets, correct + o.correct);
        }

        /** Mean cross-entropy per target (nats). */
        public double loss() {
            return lossSum / Math.max(1, targets);
        }

        /** Share of targets whose most probable token is the target. */
        public double accuracy() {
            return (double) correct / Math.max(1, targets);
        }
    }
}
