package ai.refinery.training.model;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.distribution.NormalDistribution;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.learning.regularization.WeightDecay;

import java.util.ArrayList;
import java.util.List;

/**
 * The GPT-style decoder as a DL4J ComputationGraph:
 * <pre>
 * tokens [mb, T] -> tok_emb (EmbeddingSequenceLayer, [mb, C, T]) -> pos_emb (+ learned position vectors)
 *   -> [dropout] -> block_0 .. block_{N-1} ({@link TransformerBlock}) -> ln_f ({@link FinalLayerNorm})
 *   -> out ({@link TokenSoftmaxOutput}: C -> vocabulary, softmax, sparse cross-entropy)
 * </pre>
 * Labels are token ids, [mb, 1, T], scored by sparse cross-entropy: one-hot labels would take
 * vocab x T values per example (8192 x 256 floats = 8 MB), the ids take T. The score is the cross-entropy
 * (without the weight-decay penalty) summed over the T positions and averaged over the minibatch: divide by T
 * for the loss per token ({@link #lossPerToken}).
 * Sizes are set explicitly on every layer; no input types are declared (declaring them resets the
 * embedding's vocabulary size in this DL4J release).
 */
public final class GptModel {
    public static final String INPUT = "tokens";
    public static final String OUTPUT = "out";

    private GptModel() {
    }

    /**
     * How the graph learns.
     *
     * @param updater      the optimizer with its learning rate (schedule)
     * @param weightDecay  decoupled weight decay (w -= lr * weightDecay * w after the update; with Adam this is
     *                     AdamW); applied to weight matrices and embeddings, not to biases or norm gains
     *                     (gradient clipping is not here: DL4J only clips per layer, the training loop clips the
     *                     global norm, see {@code ai.refinery.training.train.OptimizerStep})
     */
    public record Optimization(IUpdater updater, double weightDecay) {
        /** No updates: for inference and gradient checks. */
        public static Optimization none() {
            return new Optimization(new NoOp(), 0);
        }
    }

    public static ComputationGraphConfiguration configuration(ModelSettings m, Optimization o, DataType type, long seed) {
        NeuralNetConfiguration.Builder b = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(type)
                .updater(o.updater())
                .weightInit(new NormalDistribution(0, Ops.INIT_STD))
                .trainingWorkspaceMode(WorkspaceMode.ENABLED)
                .inferenceWorkspaceMode(WorkspaceMode.ENABLED);
        int c = m.width();
        int t = m.contextLength();
        ComputationGraphConfiguration.GraphBuilder g = b.graphBuilder()
                .addInputs(INPUT)
                .addLayer("tok_emb", new EmbeddingSequenceLayer.Builder()
                        .nIn(m.vocabSize()).nOut(c).inputLength(t).hasBias(false)
                        .outputDataFormat(RNNFormat.NCW).build(), INPUT)
                .addLayer("pos_emb", new PositionEmbedding(c, t), "tok_emb");
        String last = "pos_emb";
        if (m.dropout() > 0) {
            // DL4J's dropout argument is the probability of keeping an activation.
            g.addLayer("emb_dropout", new DropoutLayer.Builder(1.0 - m.dropout()).build(), last);
            last = "emb_dropout";
        }
        for (int i = 0; i < m.layers(); i++) {
            String name = "block_" + i;
            g.addLayer(name, new TransformerBlock(c, m.heads(), m.mlpWidth(), t, m.layers()), last);
            last = name;
        }
        g.addLayer("ln_f", new FinalLayerNorm(c, t), last)
                .addLayer(OUTPUT, new TokenSoftmaxOutput(c, m.vocabSize()), "ln_f")
                .setOutputs(OUTPUT);
        ComputationGraphConfiguration conf = g.build();
        setWeightDecay(conf, o.weightDecay());
        return conf;
    }

    /**
     * Decoupled weight decay (AdamW's) on every layer's weights, none on biases and gains. Set per layer rather
     * than through the builder's weightDecay, which in this DL4J release puts a second WeightDecay into every
     * layer's list and so decays at twice the configured rate. Also applied to a loaded model's configuration
     * (the updater reads it at every step), so a resumed run decays as its settings say.
     */
    public static void setWeightDecay(ComputationGraphConfiguration conf, double weightDecay) {
        for (GraphVertex v : conf.getVertices().values()) {
            if (v instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof BaseLayer layer) {
                List<Regularization> weights = new ArrayList<>();
                if (weightDecay > 0) {
                    weights.add(new WeightDecay(weightDecay, true));
                }
                layer.setRegularization(weights);
                layer.setRegularizationBias(new ArrayList<>());
            }
        }
    }

    /**
     * The model settings a graph of this class was built with, read from its layers (so a model file needs no
     * separate settings file): vocabulary and width from the token embedding, context from the position
     * embedding, blocks, heads and MLP width from the blocks, dropout from the embedding dropout layer.
     *
     * @throws IllegalArgumentException when the graph is not a decoder of this project
     */
    public static ModelSettings settingsOf(ComputationGraph graph) {
        java.util.Map<String, GraphVertex> vertices = graph.getConfiguration().getVertices();
        int vocab = -1;
        int width = -1;
        int context = -1;
        int layers = 0;
        int heads = -1;
        int mlpWidth = -1;
        double dropout = 0;
        for (java.util.Map.Entry<String, GraphVertex> e : vertices.entrySet()) {
            if (!(e.getValue() instanceof LayerVertex lv)) {
                continue;
            }
            org.deeplearning4j.nn.conf.layers.Layer layer = lv.getLayerConf().getLayer();
            if (layer instanceof EmbeddingSequenceLayer emb) {
                vocab = (int) emb.getNIn();
                width = (int) emb.getNOut();
            } else if (layer instanceof PositionEmbedding pos) {
                context = pos.getLength();
            } else if (layer instanceof TransformerBlock block) {
                layers++;
                heads = block.getHeads();
                mlpWidth = block.getMlpWidth();
            } else if (layer instanceof DropoutLayer d && d.getIDropout()
                    instanceof org.deeplearning4j.nn.conf.dropout.Dropout keep) {
                dropout = 1.0 - keep.getP(); // DL4J's argument is the probability of keeping an activation
            }
        }
        if (vocab < 0 || context < 0 || layers == 0 || width <= 0 || mlpWidth % width != 0) {
            throw new IllegalArgumentException("not a decoder of this project (token and position embeddings and "
                    + "transformer blocks expected)");
        }
        ModelSettings m = new ModelSettings(vocab, context, width, layers, heads, mlpWidth / width, dropout);
        if (m.parameterCount() != graph.numParams()) {
            throw new IllegalArgumentException("the graph has " + graph.numParams() + " parameters, its settings "
                    + m + " give " + m.parameterCount());
        }
        return m;
    }

    public static ComputationGraph build(ModelSettings m, Optimization o, DataType type, long seed) {
        ComputationGraph graph = new ComputationGraph(configuration(m, o, type, seed));
        graph.init();
        return graph;
    }

    /** Features [n, T] of token-id windows; each window has T + 1 tokens (its last token is only a target). */
    public static INDArray features(int[][] windows, int t, DataType type) {
        INDArray f = Nd4j.create(type, windows.length, t);
        for (int i = 0; i < windows.length; i++) {
            checkWindow(windows[i], t);
            for (int j = 0; j < t; j++) {
                f.putScalar(i, j, windows[i][j]);
            }
        }
        return f;
    }

    /** Labels [n, 1, T]: the next token of each position, as ids (for the sparse cross-entropy). */
    public static INDArray labels(int[][] windows, int t, DataType type) {
        INDArray l = Nd4j.create(type, windows.length, 1, t);
        for (int i = 0; i < windows.length; i++) {
            checkWindow(windows[i], t);
            for (int j = 0; j < t; j++) {
                l.putScalar(new long[] {i, 0, j}, windows[i][j + 1]);
            }
        }
        return l;
    }

    /** A DataSet of windows of T + 1 tokens: features the first T, labels the last T. */
    public static DataSet dataSet(int[][] windows, int t, DataType type) {
        return new DataSet(features(windows, t, type), labels(windows, t, type));
    }

    private static void checkWindow(int[] w, int t) {
        if (w.length != t + 1) {
            throw new IllegalArgumentException("a window must hold context_length + 1 = " + (t + 1)
                    + " tokens, got " + w.length);
        }
    }

    /**
     * Packed sequences for the graph's next passes, null for one sequence per window (pretraining, padded SFT
     * windows, inference: today's model exactly). Callers set it before a pass and reset it to null after.
     *
     * <p>Why not a DL4J feature mask or a second graph input: a feature mask reaches every layer, and in DL4J
     * 1.0.0-M2.1 EmbeddingSequenceLayer multiplies its output and gradient by it and DropoutLayer multiplies its
     * [mb, C, T] activations by it in place (muliColumnVector), so it can only carry 0/1 padding flags, not
     * positions; a second input would change the graph of every model, saved model files and every caller.
     * Positions set on the two layers that use them (the position embedding and the blocks' attention) leave the
     * graph, its configuration and its parameters as they are.
     */
    public static void setPositions(ComputationGraph graph, PackedPositions positions) {
        for (org.deeplearning4j.nn.api.Layer layer : graph.getLayers()) {
            if (layer instanceof DecoderLayer<?> decoder) {
                decoder.setPositions(positions);
            }
        }
    }

    /**
     * Next-token probabilities [n, vocabulary, T] of features [n, T] with packed sequences (null: one sequence
     * per window), without training.
     */
    public static INDArray output(ComputationGraph graph, INDArray features, PackedPositions positions) {
        setPositions(graph, positions);
        try {
            return graph.outputSingle(false, features);
        } finally {
            setPositions(graph, null);
        }
    }

    /** Mean cross-entropy per token (nats) of the graph on a DataSet. */
    public static double lossPerToken(ComputationGraph graph, DataSet data) {
        return graph.score(data) / data.getFeatures().size(1);
    }

    /**
     * Next-token distributions [n, vocab, T] for prompts of at most T tokens each, padded at the end (exact
     * for a causal model: position t sees positions 0..t only). Row i's distribution after its last prompt
     * token is at time index prompt.length - 1.
     */
    public static INDArray probabilities(ComputationGraph graph, int[][] prompts, int t, int padId) {
        INDArray f = Nd4j.create(graph.getConfiguration().getDataType(), prompts.length, t);
        for (int i = 0; i < prompts.length; i++) {
            if (prompts[i].length < 1 || prompts[i].length > t) {
                throw new IllegalArgumentException("a prompt must have 1.." + t + " tokens, got " + prompts[i].length);
            }
            for (int j = 0; j < t; j++) {
                f.putScalar(i, j, j < prompts[i].length ? prompts[i][j] : padId);
            }
        }
        return graph.outputSingle(false, f);
    }
}
