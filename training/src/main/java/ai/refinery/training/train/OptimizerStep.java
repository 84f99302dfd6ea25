package ai.refinery.training.train;

import ai.refinery.training.model.GptModel;
import ai.refinery.training.model.PackedPositions;
import ai.refinery.training.model.TokenSoftmaxOutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * One optimizer step on one minibatch, taken as PyTorch's {@code clip_grad_norm_} followed by AdamW would take it:
 * <ol>
 * <li>the gradient of the weighted loss (the minibatch's loss weights carry the per-target normalisation, so the
 *     gradient is that of a mean over targets, not DL4J's sum over positions divided by the minibatch size);</li>
 * <li>clipped to a global L2 norm over all parameters (DL4J itself only clips per layer);</li>
 * <li>DL4J's updater at the given global iteration: the learning-rate schedule and Adam's bias correction both
 *     read it, then decoupled weight decay at the same rate;</li>
 * <li>parameters minus the update.</li>
 * </ol>
 * DL4J's own {@code fit} reads the iteration from the network's configuration, which its Spark trainer's workers
 * rebuild without the count every averaging round; passing the iteration here keeps the schedule global.
 */
public final class OptimizerStep {

    private OptimizerStep() {
    }

    /** What a step saw: the weighted loss summed over the minibatch, and the gradient norm before clipping. */
    public record Outcome(double weightedLoss, double gradientNorm) {
    }

    public static Outcome apply(ComputationGraph graph, DataSet batch, int iteration, double clip) {
        return apply(graph, batch, null, iteration, clip);
    }

    /** As {@link #apply(ComputationGraph, DataSet, int, double)} on packed windows (null: one sequence each). */
    public static Outcome apply(ComputationGraph graph, DataSet batch, PackedPositions positions, int iteration,
                                double clip) {
        GptModel.setPositions(graph, positions);
        graph.getConfiguration().setIterationCount(iteration);
        graph.setInputs(batch.getFeatures());
        graph.setLabels(batch.getLabels());
        graph.setLayerMaskArrays(null, new INDArray[] {batch.getLabelsMaskArray()});
        try {
            graph.computeGradientAndScore();
            double loss = ((TokenSoftmaxOutputLayer) graph.getOutputLayer(0)).lossSum();
            INDArray gradient = graph.getFlattenedGradients();
            double norm = gradient.norm2Number().doubleValue();
            if (clip > 0 && norm > clip) {
                gradient.muli(clip / norm);
            }
            // Batch size 1: the loss weights already normalise, DL4J must not divide by the minibatch size again.
            graph.getUpdater().update(graph.gradient(), iteration, graph.getEpochCount(), 1,
                    LayerWorkspaceMgr.noWorkspaces());
            INDArray params = graph.params();
            params.subi(gradient.reshape(params.shape()));
            graph.getConfiguration().setIterationCount(iteration + 1);
            return new Outcome(loss, norm);
        } finally {
            GptModel.setPositions(graph, null);
            graph.clearLayerMaskArrays();
            graph.clear();
        }
    }
}
