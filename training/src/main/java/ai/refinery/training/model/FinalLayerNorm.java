package ai.refinery.training.model;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/** Layer norm over the width of [minibatch, width, length] activations: the decoder's last norm. */
public class FinalLayerNorm extends DecoderLayerConf {

    public FinalLayerNorm() {
    }

    public FinalLayerNorm(int width, int length) {
        super(width, length);
    }

    @Override
    Map<String, long[]> parameterShapes() {
        Map<String, long[]> p = new LinkedHashMap<>();
        p.put("g", new long[] {1, nIn});
        p.put("b", new long[] {1, nIn});
        return p;
    }

    @Override
    boolean isWeight(String parameter) {
        return false;
    }

    @Override
    void initialize(Map<String, INDArray> params) {
        params.get("g").assign(1.0);
        params.get("b").assign(0.0);
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int layerIndex,
                             INDArray layerParamsView, boolean initializeParams, DataType networkDataType) {
        return wire(new FinalLayerNormLayer(conf, networkDataType), conf, listeners, layerIndex,
                layerParamsView, initializeParams);
    }

    /** The forward and backward pass. */
    static final class FinalLayerNormLayer extends DecoderLayer<FinalLayerNorm> {
        private Ops.Normalized norm;

        FinalLayerNormLayer(NeuralNetConfiguration conf, DataType dataType) {
            super(conf, dataType);
        }

        @Override
        protected INDArray forward(LayerWorkspaceMgr workspaceMgr, ArrayType working, ArrayType keep) {
            norm = Ops.normalize(inputRows(workspaceMgr, working), workspaceMgr, keep != null ? keep : working);
            INDArray out = toInputShape(Ops.scaleShift(norm, params.get("g"), params.get("b"), workspaceMgr, working),
                    workspaceMgr, ArrayType.ACTIVATIONS);
            if (keep == null) {
                norm = null;
            }
            return out;
        }

        @Override
        protected INDArray backward(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
            INDArray dx = Ops.layerNormBackward(Ops.rows(epsilon, workspaceMgr, ArrayType.BP_WORKING_MEM), norm,
                    params.get("g"), gradientViews.get("g"), gradientViews.get("b"));
            norm = null;
            return toInputShape(dx, workspaceMgr, ArrayType.ACTIVATION_GRAD);
        }
    }
}
