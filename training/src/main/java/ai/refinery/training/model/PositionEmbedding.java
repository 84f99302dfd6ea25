package ai.refinery.training.model;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;
import java.util.Map;

/**
 * Adds a learned embedding per position to [minibatch, width, length] token embeddings. Keeping the
 * positions as a parameter of this layer spares the data a second input of position ids.
 */
public class PositionEmbedding extends DecoderLayerConf {

    public PositionEmbedding() {
    }

    public PositionEmbedding(int width, int length) {
        super(width, length);
    }

    @Override
    Map<String, long[]> parameterShapes() {
        return Map.of("pos", new long[] {1, nIn, getLength()});
    }

    @Override
    boolean isWeight(String parameter) {
        return true;
    }

    @Override
    void initialize(Map<String, INDArray> params) {
        Ops.normal(params.get("pos"), Ops.INIT_STD);
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int layerIndex,
                             INDArray layerParamsView, boolean initializeParams, DataType networkDataType) {
        return wire(new PositionEmbeddingLayer(conf, networkDataType), conf, listeners, layerIndex,
                layerParamsView, initializeParams);
    }

    /** The forward and backward pass: nothing to keep. */
    static final class PositionEmbeddingLayer extends DecoderLayer<PositionEmbedding> {
        PositionEmbeddingLayer(NeuralNetConfiguration conf, DataType dataType) {
            super(conf, dataType);
        }

        @Override
        protected INDArray forward(LayerWorkspaceMgr workspaceMgr, ArrayType working, ArrayType keep) {
            return workspaceMgr.dup(ArrayType.ACTIVATIONS, input, 'c').addi(params.get("pos"));
        }

        @Override
        protected INDArray backward(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
            INDArray positions = gradientViews.get("pos");
            epsilon.sum(positions.reshape(positions.size(1), positions.size(2)), 0);
            return workspaceMgr.dup(ArrayType.ACTIVATION_GRAD, epsilon);
        }
    }
}
