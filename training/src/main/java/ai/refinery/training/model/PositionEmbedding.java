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
 * positions as a parameter of this layer spares the data a second input of position ids. Packed windows
 * ({@link PackedPositions}) restart the positions at each sequence.
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
            INDArray out = workspaceMgr.dup(ArrayType.ACTIVATIONS, input, 'c');
            if (positions == null) {
                return out.addi(params.get("pos"));
            }
            // Packed sequences: each token gets the vector of its position within its sequence, gathered by a
            // product of the one-hot position rows [mb * T, L] with the table [L, C].
            INDArray table = params.get("pos");
            long mb = input.size(0);
            long t = input.size(2);
            INDArray oneHot = positions.oneHot(dataType, mb, t, table.size(2));
            INDArray rows = oneHot.mmul(table.reshape(table.size(1), table.size(2)).transpose());
            return out.addi(Ops.ncw(rows, mb, workspaceMgr, working));
        }

        @Override
        protected INDArray backward(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
            INDArray gradient = gradientViews.get("pos");
            INDArray table = gradient.reshape(gradient.size(1), gradient.size(2));
            if (positions == null) {
                epsilon.sum(table, 0);
            } else {
                // Scatter: each table position sums the gradients of the tokens at that position, [L, mb * T] x [mb * T, C].
                INDArray oneHot = positions.oneHot(dataType, epsilon.size(0), epsilon.size(2), table.size(1));
                INDArray rows = Ops.rows(epsilon, workspaceMgr, ArrayType.BP_WORKING_MEM);
                table.assign(oneHot.transpose().mmul(rows).transpose());
            }
            return workspaceMgr.dup(ArrayType.ACTIVATION_GRAD, epsilon);
        }
    }
}
