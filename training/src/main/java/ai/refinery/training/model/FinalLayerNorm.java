package ai.refinery.training.model;

import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/** Layer norm over the width of [minibatch, width, length] activations: the decoder's last norm. */
public class FinalLayerNorm extends SameDiffLayer {
    private int width;
    private int length;

    public FinalLayerNorm() {
    }

    public FinalLayerNorm(int width, int length) {
        this.width = width;
        this.length = length;
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return InputType.recurrent(width, length, RNNFormat.NCW);
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        params.addBiasParam("g", 1, width);
        params.addBiasParam("b", 1, width);
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        params.get("g").assign(1.0);
        params.get("b").assign(0.0);
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable input, Map<String, SDVariable> p, SDVariable mask) {
        return Ops.output(Ops.fromRows(Ops.layerNorm(Ops.toRows(input, width), p.get("g"), p.get("b")), width, length));
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
