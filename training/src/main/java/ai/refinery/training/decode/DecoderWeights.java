package ai.refinery.training.decode;

import ai.refinery.training.model.GptModel;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The trained decoder's parameters laid out for cached decoding ({@link CachedDecoder}), read from the graph's
 * parameter tables when a model is loaded: nothing is written to disk, there is one model file. Read-only
 * after construction, so any number of decoding threads share one instance.
 *
 * <p>The math is the graph's ({@code ai.refinery.training.model}): learned position vectors added to the token
 * embeddings; pre-LayerNorm blocks (epsilon 1e-5, population variance) with causal multi-head attention whose
 * queries are scaled by 1/sqrt(head size) after their bias, and an MLP with the tanh form of GELU; a final
 * LayerNorm and the output projection with its bias.
 */
public final class DecoderWeights {
    static final float LAYER_NORM_EPSILON = 1e-5f;

    final int vocab;
    final int width;
    final int contextLength;
    final int heads;
    final int headSize;
    final int mlpWidth;
    /** [token][width] */
    final float[][] tokenEmbedding;
    /** [position][width] */
    final float[][] positionEmbedding;
    final Block[] blocks;
    final float[] finalGain;
    final float[] finalBias;
    final Linear output;

    /** One transformer block: the query, key and value projections fused into one [width, 3 width] product. */
    static final class Block {
        final float[] ln1Gain;
        final float[] ln1Bias;
        final Linear qkv;
        final Linear attentionOut;
        final float[] ln2Gain;
        final float[] ln2Bias;
        final Linear up;
        final Linear down;

        Block(Layer layer, int width, int mlpWidth) {
            ln1Gain = vector(layer.getParam("ln1g"));
            ln1Bias = vector(layer.getParam("ln1b"));
            float[] wq = vector(layer.getParam("wq"));
            float[] wk = vector(layer.getParam("wk"));
            float[] wv = vector(layer.getParam("wv"));
            float[] fused = new float[width * 3 * width];
            for (int r = 0; r < width; r++) {
                System.arraycopy(wq, r * width, fused, r * 3 * width, width);
                System.arraycopy(wk, r * width, fused, r * 3 * width + width, width);
                System.arraycopy(wv, r * width, fused, r * 3 * width + 2 * width, width);
            }
            float[] fusedBias = new float[3 * width];
            System.arraycopy(vector(layer.getParam("bq")), 0, fusedBias, 0, width);
            System.arraycopy(vector(layer.getParam("bk")), 0, fusedBias, width, width);
            System.arraycopy(vector(layer.getParam("bv")), 0, fusedBias, 2 * width, width);
            qkv = new Linear(fused, fusedBias, width, 3 * width);
            attentionOut = new Linear(vector(layer.getParam("wo")), vector(layer.getParam("bo")), width, width);
            ln2Gain = vector(layer.getParam("ln2g"));
            ln2Bias = vector(layer.getParam("ln2b"));
            up = new Linear(vector(layer.getParam("w1")), vector(layer.getParam("b1")), width, mlpWidth);
            down = new Linear(vector(layer.getParam("w2")), vector(layer.getParam("b2")), mlpWidth, width);
        }
    }

    /**
     * @param heads attention heads (not recorded in the parameters: read from the graph's configuration by
     *              {@link #from})
     */
    private DecoderWeights(ComputationGraph graph, int heads, int mlpWidth, int layers) {
        INDArray tok = graph.getLayer("tok_emb").getParam("W");
        INDArray pos = graph.getLayer("pos_emb").getParam("pos");
        INDArray out = graph.getLayer(GptModel.OUTPUT).getParam("W");
        this.vocab = (int) tok.size(0);
        this.width = (int) tok.size(1);
        this.contextLength = (int) pos.size(2);
        this.heads = heads;
        this.headSize = width / heads;
        this.mlpWidth = mlpWidth;
        this.tokenEmbedding = tok.toFloatMatrix();
        float[][] byWidth = pos.reshape(width, contextLength).toFloatMatrix();
        this.positionEmbedding = new float[contextLength][width];
        for (int c = 0; c < width; c++) {
            for (int t = 0; t < contextLength; t++) {
                positionEmbedding[t][c] = byWidth[c][t];
            }
        }
        this.blocks = new Block[layers];
        for (int i = 0; i < layers; i++) {
            blocks[i] = new Block(graph.getLayer("block_" + i), width, mlpWidth);
        }
        Layer lnf = graph.getLayer("ln_f");
        this.finalGain = vector(lnf.getParam("g"));
        this.finalBias = vector(lnf.getParam("b"));
        this.output = new Linear(vector(out), vector(graph.getLayer(GptModel.OUTPUT).getParam("b")), width,
                (int) out.size(1));
    }

    /** The parameters of a decoder graph built by {@link GptModel}. */
    public static DecoderWeights from(ComputationGraph graph) {
        int layers = 0;
        int heads = -1;
        int mlpWidth = -1;
        while (graph.getConfiguration().getVertices().containsKey("block_" + layers)) {
            var conf = (ai.refinery.training.model.TransformerBlock) graph.getLayer("block_" + layers).conf().getLayer();
            heads = conf.getHeads();
            mlpWidth = conf.getMlpWidth();
            layers++;
        }
        if (layers == 0) {
            throw new IllegalArgumentException("the graph has no transformer blocks: not a decoder of this project");
        }
        return new DecoderWeights(graph, heads, mlpWidth, layers);
    }

    private static float[] vector(INDArray a) {
        return a.dup('c').reshape(a.length()).toFloatVector();
    }

    public int contextLength() {
        return contextLength;
    }

    /** Outputs of the model (its vocabulary size). */
    public int vocabSize() {
        return output.out;
    }

    public int layers() {
        return blocks.length;
    }
}
