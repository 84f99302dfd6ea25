package ai.refinery.training.model;

import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

/**
 * One pre-LayerNorm decoder block: x + attention(ln1(x)), then + mlp(ln2(.)). Attention is multi-head and
 * causal: position t attends to positions 0..t only, through a constant mask that adds a large negative
 * number to the scores of later positions before the softmax (DL4J 1.0.0-M2.1 has no causal attention
 * op, and its SelfAttentionLayer masks padding keys only).
 *
 * <p>Input and output are [minibatch, width, length] (NCW). The SameDiff graph is built for one fixed
 * length, so every input must have exactly {@link #getLength()} positions; shorter prompts are padded at
 * the end, which is exact for a causal model. Batched rank-4 matrix products carry the attention; the
 * projections use 2D products on [minibatch * length, width] rows (rank-3 x rank-2 tensorMmul fails in
 * backprop in this release).
 *
 * <p>The bean accessors and the no-argument constructor are what DL4J's JSON configuration needs.
 */
public class TransformerBlock extends SameDiffLayer {
    private int width;
    private int heads;
    private int mlpWidth;
    private int length;
    private int depth;

    public TransformerBlock() {
    }

    /**
     * @param depth total number of blocks of the model: output projections start scaled by 1/sqrt(2 depth),
     *              as in GPT-2, so the residual stream does not grow with depth
     */
    public TransformerBlock(int width, int heads, int mlpWidth, int length, int depth) {
        this.width = width;
        this.heads = heads;
        this.mlpWidth = mlpWidth;
        this.length = length;
        this.depth = depth;
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return InputType.recurrent(width, length, RNNFormat.NCW);
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        // Gains and biases are "bias" parameters: weight decay skips them. No "_" in names: DL4J splits
        // gradient keys at the last "_" to find the layer.
        params.addBiasParam("ln1g", 1, width);
        params.addBiasParam("ln1b", 1, width);
        params.addWeightParam("wq", width, width);
        params.addBiasParam("bq", 1, width);
        params.addWeightParam("wk", width, width);
        params.addBiasParam("bk", 1, width);
        params.addWeightParam("wv", width, width);
        params.addBiasParam("bv", 1, width);
        params.addWeightParam("wo", width, width);
        params.addBiasParam("bo", 1, width);
        params.addBiasParam("ln2g", 1, width);
        params.addBiasParam("ln2b", 1, width);
        params.addWeightParam("w1", width, mlpWidth);
        params.addBiasParam("b1", 1, mlpWidth);
        params.addWeightParam("w2", mlpWidth, width);
        params.addBiasParam("b2", 1, width);
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        double residualStd = Ops.INIT_STD / Math.sqrt(2.0 * Math.max(1, depth));
        for (Map.Entry<String, INDArray> e : params.entrySet()) {
            String name = e.getKey();
            INDArray p = e.getValue();
            switch (name) {
                case "ln1g", "ln2g" -> p.assign(1.0);
                case "wq", "wk", "wv", "w1" -> Ops.normal(p, Ops.INIT_STD);
                case "wo", "w2" -> Ops.normal(p, residualStd);
                default -> p.assign(0.0);
            }
        }
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable input, Map<String, SDVariable> p, SDVariable mask) {
        int headSize = width / heads;
        SDVariable x = Ops.toRows(input, width); // [mb*T, C]

        SDVariable a = Ops.layerNorm(x, p.get("ln1g"), p.get("ln1b"));
        // The 1/sqrt(D) scale goes on the queries (mb*T*C values), not on the scores (mb*H*T*T values).
        SDVariable q = splitHeads(a.mmul(p.get("wq")).add(p.get("bq")).mul(1.0 / Math.sqrt(headSize)), headSize); // [mb, H, T, D]
        SDVariable k = splitHeads(a.mmul(p.get("wk")).add(p.get("bk")), headSize);
        SDVariable v = splitHeads(a.mmul(p.get("wv")).add(p.get("bv")), headSize);
        SDVariable scores = sd.mmul(q, k.permute(0, 1, 3, 2)) // [mb, H, T, T]
                .add(sd.constant(causalMask(input.dataType())));
        SDVariable weights = sd.nn.softmax(scores, 3);
        SDVariable context = sd.mmul(weights, v) // [mb, H, T, D]
                .permute(0, 2, 1, 3).reshape(-1, width);
        SDVariable attended = x.add(context.mmul(p.get("wo")).add(p.get("bo")));

        SDVariable b = Ops.layerNorm(attended, p.get("ln2g"), p.get("ln2b"));
        SDVariable hidden = Ops.gelu(b.mmul(p.get("w1")).add(p.get("b1")));
        SDVariable out = attended.add(hidden.mmul(p.get("w2")).add(p.get("b2")));
        return Ops.output(Ops.fromRows(out, width, length));
    }

    private SDVariable splitHeads(SDVariable rows, int headSize) {
        return rows.reshape(-1, length, heads, headSize).permute(0, 2, 1, 3);
    }

    /** [1, 1, T, T]: 0 where key position <= query position, a large negative number above the diagonal. */
    private INDArray causalMask(org.nd4j.linalg.api.buffer.DataType type) {
        INDArray m = Nd4j.zeros(type, 1, 1, length, length);
        for (int query = 0; query < length; query++) {
            for (int key = query + 1; key < length; key++) {
                m.putScalar(new long[] {0, 0, query, key}, -1e9);
            }
        }
        return m;
    }

    public int getWidth() {
        return width;
    }

    public void setWidth(int width) {
        this.width = width;
    }

    public int getHeads() {
        return heads;
    }

    public void setHeads(int heads) {
        this.heads = heads;
    }

    public int getMlpWidth() {
        return mlpWidth;
    }

    public void setMlpWidth(int mlpWidth) {
        this.mlpWidth = mlpWidth;
    }

    public int getLength() {
        return length;
    }

    public void setLength(int length) {
        this.length = length;
    }

    public int getDepth() {
        return depth;
    }

    public void setDepth(int depth) {
        this.depth = depth;
    }
}
