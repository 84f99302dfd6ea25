package ai.refinery.training.model;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A decoder layer with a hand-written forward and backward pass in ND4J ops. The training forward pass keeps
 * the intermediates its backward pass needs (in DL4J's INPUT workspace, which lives until the end of the
 * iteration, as DL4J's batch normalization does), so nothing is computed twice; a backward pass for another
 * input than the last training forward pass recomputes them first.
 */
abstract class DecoderLayer<C extends DecoderLayerConf> extends BaseLayer<C> {
    /** The input the kept intermediates belong to; null when none are kept. */
    private INDArray forwardInput;
    /** Sequences of packed windows, or null: every window is one sequence. */
    protected PackedPositions positions;

    DecoderLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    /**
     * The layer's output [minibatch, width, length] in the ACTIVATIONS workspace.
     *
     * @param working the workspace for arrays used only within this call
     * @param keep    where to put the intermediates the backward pass needs, null to not keep them
     */
    protected abstract INDArray forward(LayerWorkspaceMgr workspaceMgr, ArrayType working, ArrayType keep);

    /** Fills {@link #gradientViews} and returns the input gradient [minibatch, width, length] (ACTIVATION_GRAD). */
    protected abstract INDArray backward(INDArray epsilon, LayerWorkspaceMgr workspaceMgr);

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        // DL4J's INPUT workspace lasts the whole training iteration; some inference paths do not configure it.
        boolean keep = training && (workspaceMgr.hasConfiguration(ArrayType.INPUT) || workspaceMgr.isScopedOut(ArrayType.INPUT));
        INDArray out = forward(workspaceMgr, ArrayType.FF_WORKING_MEM, keep ? ArrayType.INPUT : null);
        forwardInput = keep ? input : null;
        return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        if (forwardInput != input) {
            forward(workspaceMgr, ArrayType.BP_WORKING_MEM, ArrayType.BP_WORKING_MEM);
        }
        INDArray inputGradient = backward(epsilon, workspaceMgr);
        Gradient gradient = new DefaultGradient();
        for (String key : layerConf().initializer().paramKeys(layerConf())) {
            gradient.setGradientFor(key, gradientViews.get(key));
        }
        return new Pair<>(gradient, inputGradient);
    }

    /**
     * Packed sequences for the next passes (null: one sequence per window). Set by {@link GptModel#setPositions}
     * rather than through DL4J's feature mask, which EmbeddingSequenceLayer and DropoutLayer multiply into the
     * activations (see there); not reset by {@link #clear()}, which DL4J also calls between passes.
     */
    void setPositions(PackedPositions positions) {
        if (positions != this.positions) {
            forwardInput = null; // kept intermediates were computed with other positions
        }
        this.positions = positions;
    }

    @Override
    public void setInput(INDArray input, LayerWorkspaceMgr workspaceMgr) {
        if (input != this.input) {
            forwardInput = null;
        }
        super.setInput(input, workspaceMgr);
    }

    @Override
    public void clear() {
        super.clear();
        forwardInput = null;
    }

    @Override
    public boolean isPretrainLayer() {
        return false;
    }

    @Override
    public Type type() {
        return Type.RECURRENT;
    }

    /** The NCW input as rows [minibatch * length, width], one per position (example-major). */
    protected INDArray inputRows(LayerWorkspaceMgr workspaceMgr, ArrayType type) {
        return Ops.rows(input, workspaceMgr, type);
    }

    /** Rows [minibatch * length, width] as NCW [minibatch, width, length] in the given workspace. */
    protected INDArray toInputShape(INDArray rows, LayerWorkspaceMgr workspaceMgr, ArrayType type) {
        return Ops.ncw(rows, input.size(0), workspaceMgr, type);
    }
}
