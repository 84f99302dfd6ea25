package ai.refinery.training.model;

import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * ND4J building blocks of the decoder's layers, forward and backward, on rows [positions, width]. Layer norm
 * and GELU are composed from elementwise ops: ND4J's fused layer_norm measured slower here (its backprop op
 * cost more than the composed ops together), and its "precise" GELU differs from the tanh formula by up to 0.03.
 */
final class Ops {
    static final double LAYER_NORM_EPSILON = 1e-5;
    /** Standard deviation of the initial weights (GPT-2). */
    static final double INIT_STD = 0.02;
    /** GELU's tanh form 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) is x sigmoid(x (K + K 0.044715 x^2)). */
    private static final double GELU_K = 2 * Math.sqrt(2 / Math.PI);
    private static final double GELU_CUBIC = 0.044715;

    private Ops() {
    }

    /** [mb, width, T] (DL4J's NCW) to rows [mb * T, width], copied into the given workspace. */
    static INDArray rows(INDArray ncw, LayerWorkspaceMgr workspaceMgr, ArrayType type) {
        return workspaceMgr.dup(type, ncw.permute(0, 2, 1), 'c').reshape(ncw.size(0) * ncw.size(2), ncw.size(1));
    }

    /** Rows [mb * T, width] back to [mb, width, T], copied into the given workspace. */
    static INDArray ncw(INDArray rows, long minibatch, LayerWorkspaceMgr workspaceMgr, ArrayType type) {
        long width = rows.size(1);
        long length = rows.size(0) / minibatch;
        INDArray out = workspaceMgr.createUninitialized(type, rows.dataType(), new long[] {minibatch, width, length}, 'c');
        return out.assign(rows.reshape(minibatch, length, width).permute(0, 2, 1));
    }

    /**
     * Sums over the rows [N, n] into a [1, n] target, as the matrix-vector product rows^T ones: faster than a
     * reduction along the strided axis or ones^T rows.
     */
    static void columnSums(INDArray rows, INDArray target) {
        INDArray ones = Nd4j.ones(rows.dataType(), rows.size(0), 1);
        Nd4j.gemm(rows, ones, target.reshape(target.length(), 1), true, false, 1.0, 0.0);
    }

    /** The normalized rows and 1/sqrt(variance + eps) per row [rows, 1]: what a layer norm's backward needs. */
    record Normalized(INDArray xhat, INDArray inverseStd) {
    }

    static Normalized normalize(INDArray x, LayerWorkspaceMgr workspaceMgr, ArrayType type) {
        INDArray xhat = workspaceMgr.dup(type, x).subiColumnVector(x.mean(true, 1));
        INDArray inverseStd = Transforms.pow(xhat.mul(xhat).mean(true, 1).addi(LAYER_NORM_EPSILON), -0.5, false);
        xhat.muliColumnVector(inverseStd);
        return new Normalized(xhat, workspaceMgr.leverageTo(type, inverseStd));
    }

    /** xhat * gain + bias, a new array in the given workspace. */
    static INDArray scaleShift(Normalized n, INDArray gain, INDArray bias, LayerWorkspaceMgr workspaceMgr, ArrayType type) {
        return workspaceMgr.dup(type, n.xhat()).muliRowVector(gain).addiRowVector(bias);
    }

    /** Layer norm backward: writes the gain and bias gradients, returns the input gradient (a new array). */
    static INDArray layerNormBackward(INDArray outGradient, Normalized n, INDArray gain, INDArray gainGradient,
                                      INDArray biasGradient) {
        columnSums(outGradient.mul(n.xhat()), gainGradient);
        columnSums(outGradient, biasGradient);
        INDArray dxhat = outGradient.mulRowVector(gain);
        INDArray meanGradient = dxhat.mean(true, 1);
        INDArray meanProjection = dxhat.mul(n.xhat()).mean(true, 1);
        return dxhat.subiColumnVector(meanGradient).subi(n.xhat().mulColumnVector(meanProjection))
                .muliColumnVector(n.inverseStd());
    }

    /** sigmoid(u (K + K 0.044715 u^2)): GELU(u) = u times this gate. */
    static INDArray geluGate(INDArray u, LayerWorkspaceMgr workspaceMgr, ArrayType type) {
        INDArray gate = workspaceMgr.dup(type, u).muli(u).muli(GELU_K * GELU_CUBIC).addi(GELU_K).muli(u);
        return Transforms.sigmoid(gate, false);
    }

    /** d GELU(u) = d out * (s + u s (1 - s) (K + 3 K 0.044715 u^2)) with s the gate; a new array. */
    static INDArray geluBackward(INDArray outGradient, INDArray u, INDArray gate) {
        INDArray d = u.mul(u).muli(3 * GELU_K * GELU_CUBIC).addi(GELU_K).muli(u).muli(gate);
        return d.muli(gate.rsub(1.0)).addi(gate).muli(outGradient);
    }

    static void normal(INDArray param, double std) {
        param.assign(Nd4j.randn(param.dataType(), param.shape()).muli(std));
    }
}
