package ai.refinery.training.model;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One pre-LayerNorm decoder block: x + attention(ln1(x)), then + mlp(ln2(.)). Attention is multi-head and
 * causal: position t attends to positions 0..t only (DL4J 1.0.0-M2.1 has no causal attention op, and its
 * SelfAttentionLayer masks padding keys only); in packed windows ({@link PackedPositions}) to the positions of its
 * own sequence up to t only. The MLP is width -> mlpWidth -> width with the tanh form of
 * GELU. Forward and backward pass are written out in ND4J ops ({@link TransformerBlockLayer}).
 *
 * <p>Input and output are [minibatch, width, length] (NCW). Every input must have exactly
 * {@link #getLength()} positions; shorter prompts are padded at the end, which is exact for a causal model.
 */
public class TransformerBlock extends DecoderLayerConf {
    private int heads;
    private int mlpWidth;
    private int depth;

    public TransformerBlock() {
    }

    /**
     * @param depth total number of blocks of the model: output projections start scaled by 1/sqrt(2 depth),
     *              as in GPT-2, so the residual stream does not grow with depth
     */
    public TransformerBlock(int width, int heads, int mlpWidth, int length, int depth) {
        super(width, length);
        if (width % heads != 0) {
            throw new IllegalArgumentException("width " + width + " is not a multiple of heads " + heads);
        }
        this.heads = heads;
        this.mlpWidth = mlpWidth;
        this.depth = depth;
    }

    @Override
    Map<String, long[]> parameterShapes() {
        // No "_" in names: DL4J splits gradient keys at the last "_" to find the layer.
        long c = nIn;
        Map<String, long[]> p = new LinkedHashMap<>();
        p.put("ln1g", new long[] {1, c});
        p.put("ln1b", new long[] {1, c});
        for (String proj : new String[] {"q", "k", "v", "o"}) {
            p.put("w" + proj, new long[] {c, c});
            p.put("b" + proj, new long[] {1, c});
        }
        p.put("ln2g", new long[] {1, c});
        p.put("ln2b", new long[] {1, c});
        p.put("w1", new long[] {c, mlpWidth});
        p.put("b1", new long[] {1, mlpWidth});
        p.put("w2", new long[] {mlpWidth, c});
        p.put("b2", new long[] {1, c});
        return p;
    }

    @Override
    boolean isWeight(String parameter) {
        return parameter.startsWith("w");
    }

    @Override
    void initialize(Map<String, INDArray> params) {
        double residualStd = Ops.INIT_STD / Math.sqrt(2.0 * Math.max(1, depth));
        for (Map.Entry<String, INDArray> e : params.entrySet()) {
            INDArray p = e.getValue();
            switch (e.getKey()) {
                case "ln1g", "ln2g" -> p.assign(1.0);
                case "wq", "wk", "wv", "w1" -> Ops.normal(p, Ops.INIT_STD);
                case "wo", "w2" -> Ops.normal(p, residualStd);
                default -> p.assign(0.0);
            }
        }
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int layerIndex,
                             INDArray layerParamsView, boolean initializeParams, DataType networkDataType) {
        return wire(new TransformerBlockLayer(conf, networkDataType), conf, listeners, layerIndex, layerParamsView,
                initializeParams);
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

    public int getDepth() {
        return depth;
    }

    public void setDepth(int depth) {
        this.depth = depth;
    }
}
