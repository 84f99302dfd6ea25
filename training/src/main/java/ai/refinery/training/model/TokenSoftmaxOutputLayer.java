package ai.refinery.training.model;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.BaseOutputLayer;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;

/**
 * Projection to the vocabulary, softmax and sparse cross-entropy in one DL4J output layer (configured by
 * {@link TokenSoftmaxOutput}). A training step computes the logits and the softmax once: the backward pass
 * computes the loss next to the gradient and the score that the graph asks for right after reuses it. The
 * labels stay token ids (no one-hot arrays).
 *
 * <p>Positions are rows n = example * T + t. The logits are computed as a column-major [vocabulary, N]
 * product, which is the row-major [N, vocabulary] matrix the softmax wants, so no layout copy of the
 * vocabulary-sized arrays is needed; the other matrix products also read it in place.
 *
 * <p>Score as DL4J's RnnOutputLayer with LossSparseMCXENT: summed over the positions, divided by the
 * minibatch size, probabilities floored at 1e-10; but without the network's regularization term, which DL4J
 * adds to the score: the updater applies weight decay whatever the score says, and with the penalty the
 * reported loss and perplexity moved with the weight norms. Gradients are summed over the minibatch (DL4J's
 * updater divides by the minibatch size).
 *
 * <p>Loss weights: a labels mask [minibatch, T] (DL4J's label mask array) weighs each position's loss and
 * gradient; a position of weight 0 gives neither loss nor gradient. The training loop puts the loss mask times
 * its normaliser there (see {@code ai.refinery.training.train.NextTokenObjective}), so one mechanism serves
 * response-only losses and per-token normalisation.
 */
public class TokenSoftmaxOutputLayer extends BaseOutputLayer<TokenSoftmaxOutput> {
    /** DL4J's softmax cross-entropy clips probabilities to this before the log. */
    private static final double PROBABILITY_FLOOR = 1e-10;

    /** Loss summed over the positions by the last backward pass, valid for that pass's input and labels. */
    private double lossSum;
    private INDArray lossInput;
    private INDArray lossLabels;
    private INDArray lossWeights;
    private double scoredSum = Double.NaN;

    TokenSoftmaxOutputLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        INDArray rows = rows(workspaceMgr, ArrayType.FF_WORKING_MEM);
        INDArray probabilities = probabilities(rows, workspaceMgr, ArrayType.ACTIVATIONS).transpose();
        // [N, V] row-major viewed as [minibatch, V, T]: a view of the activations array, no copy.
        return probabilities.reshape(input.size(0), input.size(2), probabilities.size(1)).permute(0, 2, 1);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        INDArray rows = rows(workspaceMgr, ArrayType.BP_WORKING_MEM);
        INDArray delta = probabilities(rows, workspaceMgr, ArrayType.BP_WORKING_MEM); // [V, N] column-major
        int[] ids = labelIds();
        double[] weights = weights(ids.length);
        lossSum = lossSum(delta, ids, weights);
        lossInput = input;
        lossLabels = labels;
        lossWeights = maskArray;
        // d loss / d logits = weight * (softmax - one-hot of the label).
        for (int n = 0; n < ids.length; n++) {
            delta.putScalar(ids[n], n, delta.getDouble(ids[n], n) - 1);
        }
        if (weights != null) {
            INDArray w = Nd4j.createFromArray(weights).castTo(dataType).reshape(1, weights.length);
            delta.muliRowVector(w);
        }

        INDArray w = getParam(DefaultParamInitializer.WEIGHT_KEY);
        INDArray weightGradient = gradientViews.get(DefaultParamInitializer.WEIGHT_KEY);
        Nd4j.gemm(rows, delta, weightGradient, true, true, 1.0, 0.0); // [C, N] x [N, V]
        INDArray biasGradient = gradientViews.get(DefaultParamInitializer.BIAS_KEY);
        // Sums over the positions as a matrix-vector product on the column-major delta: 3x faster than the
        // same product on its transpose, 8x faster than a sum along that axis. The bias is rank 1 here.
        INDArray ones = workspaceMgr.create(ArrayType.BP_WORKING_MEM, dataType, rows.size(0), 1).assign(1);
        Nd4j.gemm(delta, ones, biasGradient.reshape(biasGradient.length(), 1), false, false, 1.0, 0.0);
        Gradient gradient = new DefaultGradient();
        gradient.gradientForVariable().put(DefaultParamInitializer.WEIGHT_KEY, weightGradient);
        gradient.gradientForVariable().put(DefaultParamInitializer.BIAS_KEY, biasGradient);

        // [C, V] x [V, N] column-major is [N, C] row-major: the rows layout, copied back to NCW once.
        INDArray inputGradientRows = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType,
                new long[] {w.size(0), rows.size(0)}, 'f');
        Nd4j.gemm(w, delta, inputGradientRows, false, false, 1.0, 0.0);
        INDArray inputGradient = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, input.shape(), 'c');
        inputGradient.assign(inputGradientRows.transpose().reshape(input.size(0), input.size(2), input.size(1))
                .permute(0, 2, 1));
        return new Pair<>(gradient, inputGradient);
    }

    @Override
    public double computeScore(double fullNetRegTerm, boolean training, LayerWorkspaceMgr workspaceMgr) {
        if (input == null || labels == null) {
            throw new IllegalStateException("cannot score without input and labels " + layerId());
        }
        double sum = training && lossInput == input && lossLabels == labels && lossWeights == maskArray
                ? lossSum
                : lossSum(probabilities(rows(workspaceMgr, ArrayType.FF_WORKING_MEM), workspaceMgr,
                ArrayType.FF_WORKING_MEM), labelIds(), weights((int) (input.size(0) * input.size(2))));
        scoredSum = sum;
        double s = sum;
        if (conf().isMiniBatch()) {
            s /= getInputMiniBatchSize();
        }
        score = s; // cross-entropy only: fullNetRegTerm left out, see the class comment
        return score;
    }

    @Override
    public INDArray computeScoreForExamples(double fullNetRegTerm, LayerWorkspaceMgr workspaceMgr) {
        INDArray probabilities = probabilities(rows(workspaceMgr, ArrayType.FF_WORKING_MEM), workspaceMgr,
                ArrayType.FF_WORKING_MEM);
        int[] ids = labelIds();
        double[] weights = weights(ids.length);
        long length = input.size(2);
        INDArray perExample = workspaceMgr.create(ArrayType.ACTIVATIONS, dataType, input.size(0), 1);
        for (int n = 0; n < ids.length; n++) {
            double loss = (weights == null ? 1 : weights[n])
                    * -Math.log(Math.max(probabilities.getDouble(ids[n], n), PROBABILITY_FLOOR));
            perExample.putScalar(n / length, 0, perExample.getDouble(n / length, 0) + loss);
        }
        return perExample; // cross-entropy only, as computeScore
    }

    @Override
    public void computeGradientAndScore(LayerWorkspaceMgr workspaceMgr) {
        gradient = backpropGradient(null, workspaceMgr).getFirst();
        score = computeScore(0, true, workspaceMgr);
    }

    @Override
    public void setInput(INDArray input, LayerWorkspaceMgr workspaceMgr) {
        super.setInput(input, workspaceMgr);
        lossInput = null; // a new forward pass: the cached loss no longer applies
    }

    /** Loss weights [minibatch, T] (or [minibatch, 1, T]) for the next passes; null weighs every position 1. */
    @Override
    public void setMaskArray(INDArray maskArray) {
        super.setMaskArray(maskArray);
    }

    /** The weighted loss summed over the positions by the last score (not divided by the minibatch size). */
    public double lossSum() {
        return scoredSum;
    }

    @Override
    public void clear() {
        super.clear();
        lossInput = null;
        lossLabels = null;
        lossWeights = null;
    }

    @Override
    public Layer.Type type() {
        return Layer.Type.RECURRENT;
    }

    @Override
    protected INDArray getLabels2d(LayerWorkspaceMgr workspaceMgr, ArrayType arrayType) {
        return labels.reshape(labels.size(0) * labels.size(2), 1);
    }

    /** The NCW input as rows [N, C], one per position. */
    private INDArray rows(LayerWorkspaceMgr workspaceMgr, ArrayType type) {
        if (input.rank() != 3) {
            throw new IllegalArgumentException("input must be [minibatch, width, T], got " + Arrays.toString(input.shape())
                    + " " + layerId());
        }
        return workspaceMgr.dup(type, input.permute(0, 2, 1), 'c').reshape(input.size(0) * input.size(2), input.size(1));
    }

    /** Softmax of W^T x + b for every row, as a column-major [V, N] array: each position's V values are contiguous. */
    private INDArray probabilities(INDArray rows, LayerWorkspaceMgr workspaceMgr, ArrayType type) {
        INDArray w = getParam(DefaultParamInitializer.WEIGHT_KEY);
        INDArray logits = workspaceMgr.createUninitialized(type, dataType, new long[] {w.size(1), rows.size(0)}, 'f');
        Nd4j.gemm(w, rows, logits, true, true, 1.0, 0.0);
        INDArray byRow = logits.transpose(); // [N, V] row-major view
        byRow.addiRowVector(getParam(DefaultParamInitializer.BIAS_KEY));
        Nd4j.exec(new SoftMax(byRow, byRow, 1));
        return logits;
    }

    /** Label ids in row order; [minibatch, 1, T] labels matching the input. */
    private int[] labelIds() {
        long[] expected = {input.size(0), 1, input.size(2)};
        if (!Arrays.equals(labels.shape(), expected)) {
            throw new IllegalArgumentException("labels must be token ids " + Arrays.toString(expected) + ", got "
                    + Arrays.toString(labels.shape()) + " " + layerId());
        }
        int[] ids = labels.dup('c').reshape(labels.length()).toIntVector();
        long vocab = getParam(DefaultParamInitializer.WEIGHT_KEY).size(1);
        for (int id : ids) {
            if (id < 0 || id >= vocab) {
                throw new IllegalArgumentException("label id " + id + " outside the vocabulary 0.." + (vocab - 1) + " " + layerId());
            }
        }
        return ids;
    }

    /** The mask's weights in row order (example * T + t), or null without a mask. */
    private double[] weights(int positions) {
        if (maskArray == null) {
            return null;
        }
        if (maskArray.length() != positions || maskArray.size(0) != input.size(0)) {
            throw new IllegalArgumentException("the loss mask must be [minibatch, T] = [" + input.size(0) + ", "
                    + input.size(2) + "], got " + Arrays.toString(maskArray.shape()) + " " + layerId());
        }
        return maskArray.dup('c').reshape(positions).toDoubleVector();
    }

    private static double lossSum(INDArray probabilities, int[] ids, double[] weights) {
        double sum = 0;
        for (int n = 0; n < ids.length; n++) {
            double w = weights == null ? 1 : weights[n];
            if (w != 0) {
                sum -= w * Math.log(Math.max(probabilities.getDouble(ids[n], n), PROBABILITY_FLOOR));
            }
        }
        return sum;
    }
}
