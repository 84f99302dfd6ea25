package ai.refinery.training.model;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.controlflow.compat.StopGradient;
import org.nd4j.linalg.factory.Nd4j;

/**
 * SameDiff building blocks shared by the decoder's layers. Layer norm and GELU are composed from elementwise
 * ops, which the gradient check covers whole. ND4J's fused layer_norm measured slower here (its backprop op
 * cost more than the nine elementwise ones together), and its "precise" GELU differs from the tanh formula by
 * up to 0.03.
 */
final class Ops {
    static final double LAYER_NORM_EPSILON = 1e-5;
    /** Standard deviation of the initial weights (GPT-2). */
    static final double INIT_STD = 0.02;

    private Ops() {
    }

    /** Layer norm over the last axis of a [rows, width] matrix, with gain and bias of shape [1, width]. */
    static SDVariable layerNorm(SDVariable x, SDVariable gain, SDVariable bias) {
        SDVariable centred = x.sub(x.mean(true, 1));
        SDVariable variance = centred.mul(centred).mean(true, 1);
        SameDiff sd = x.getSameDiff();
        return centred.div(sd.math.sqrt(variance.add(LAYER_NORM_EPSILON))).mul(gain).add(bias);
    }

    /**
     * GELU, tanh approximation (as in GPT-2): 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), computed as
     * x sigmoid(x (2 sqrt(2/pi) + 2 sqrt(2/pi) 0.044715 x^2)) (0.5 (1 + tanh z) = sigmoid(2 z)): six
     * elementwise ops instead of nine, each run forward twice and backward once per step.
     */
    static SDVariable gelu(SDVariable x) {
        SameDiff sd = x.getSameDiff();
        double k = 2 * Math.sqrt(2 / Math.PI);
        SDVariable z = x.mul(x).mul(k * 0.044715).add(k).mul(x);
        return x.mul(sd.nn.sigmoid(z));
    }

    /**
     * The layer output to hand to DL4J. DL4J 1.0.0-M2.1's SameDiffLayer backpropagates twice the incoming
     * gradient (every parameter and input gradient of such a layer came out exactly 2x the finite
     * difference). Returning y/2 + stopGradient(y)/2 keeps the forward value y and halves what flows back,
     * which makes the gradients exact; the gradient check test guards this against a changed release.
     */
    static SDVariable output(SDVariable y) {
        SDVariable frozen = new StopGradient(y.getSameDiff(), y).outputVariable();
        return y.mul(0.5).add(frozen.mul(0.5));
    }

    /** [mb, width, T] (DL4J's NCW) to [mb * T, width]. */
    static SDVariable toRows(SDVariable x, int width) {
        return x.permute(0, 2, 1).reshape(-1, width);
    }

    /** [mb * T, width] back to [mb, width, T]. */
    static SDVariable fromRows(SDVariable rows, int width, int length) {
        return rows.reshape(-1, length, width).permute(0, 2, 1);
    }

    static void normal(INDArray param, double std) {
        param.assign(Nd4j.randn(param.dataType(), param.shape()).muli(std));
    }
}
