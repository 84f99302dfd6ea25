package ai.refinery.training.model;

import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/**
 * Adds a learned embedding per position to [minibatch, width, length] token embeddings. Keeping the
 * positions as a parameter of this layer spares the data a second input of position ids.
 */
public class PositionEmbedding extends SameDiffLayer {
    private int width;
    private int length;

    public PositionEmbedding() {
    }

    public PositionEmbedding(int width, int length) {
        this.width = width;
        this.length = length;
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return InputType.recurrent(width, length, RNNFormat.NCW);
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        params.addWeightParam("pos", 1, width, length);
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        Ops.normal(params.get("pos"), Ops.INIT_STD);
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable input, Map<String, SDVariable> p, SDVariable mask) {
        return Ops.output(input.add(p.get("pos")));
    }

    public int getWidth() {
        return width;
    }

    public void setWidth(int width) {
        this.width = width;
    }

    public int getLength() {
        return length;
    }

    public void setLength(int length) {
        this.length = length;
    }
}
