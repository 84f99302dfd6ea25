package ai.refinery.training.model;

import ai.refinery.core.config.ConfigError;
import ai.refinery.core.config.Section;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

import java.util.LinkedHashMap;
import java.util.Map;

import java.io.Serializable;

/**
 * Shape of the GPT-style decoder (section "model" of conf/refinery.conf; conf/model-tiny.conf,
 * model-small.conf and model-base.conf override it with named sizes).
 *
 * @param vocabSize     tokens in the vocabulary (the tokenizer's vocab_size)
 * @param contextLength tokens per example; the packed windows hold contextLength + 1 tokens
 * @param width         model width (embedding size, d_model)
 * @param layers        transformer blocks
 * @param heads         attention heads; width must be a multiple of heads
 * @param mlpRatio      hidden width of each block's MLP as a multiple of width
 * @param dropout       dropout probability on the summed embeddings (0: off)
 */
public record ModelSettings(int vocabSize, int contextLength, int width, int layers, int heads, int mlpRatio,
                            double dropout) implements Serializable {

    public ModelSettings {
        if (vocabSize < 2) {
            throw ConfigError.forKey("model.vocab_size", "must be at least 2, got " + vocabSize);
        }
        if (contextLength < 1) {
            throw ConfigError.forKey("model.context_length", "must be at least 1, got " + contextLength);
        }
        if (width < 1) {
            throw ConfigError.forKey("model.width", "must be at least 1, got " + width);
        }
        if (layers < 1) {
            throw ConfigError.forKey("model.layers", "must be at least 1, got " + layers);
        }
        if (heads < 1 || width % heads != 0) {
            throw ConfigError.forKey("model.heads", "must divide model.width (" + width + "), got " + heads);
        }
        if (mlpRatio < 1) {
            throw ConfigError.forKey("model.mlp_ratio", "must be at least 1, got " + mlpRatio);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw ConfigError.forKey("model.dropout", "must be in [0, 1), got " + dropout);
        }
    }

    public static ModelSettings from(Config config) {
        Section s = new Section(config, "model");
        return new ModelSettings(
                s.intAtLeast("vocab_size", 2),
                s.intAtLeast("context_length", 1),
                s.intAtLeast("width", 1),
                s.intAtLeast("layers", 1),
                s.intAtLeast("heads", 1),
                s.intAtLeast("mlp_ratio", 1),
                s.doubleIn("dropout", 0.0, 0.999999));
    }

    /** The settings as the model section of a configuration (what from reads; model.json of a run folder). */
    public Config toConfig() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("vocab_size", vocabSize);
        m.put("context_length", contextLength);
        m.put("width", width);
        m.put("layers", layers);
        m.put("heads", heads);
        m.put("mlp_ratio", mlpRatio);
        m.put("dropout", dropout);
        return ConfigFactory.parseMap(m);
    }

    public int headSize() {
        return width / heads;
    }

    public int mlpWidth() {
        return width * mlpRatio;
    }

    /** Trainable parameters, counted by hand (the built graph's numParams() agrees; see the tests). */
    public long parameterCount() {
        long c = width;
        long m = mlpWidth();
        long perBlock = 4 * c // two layer norms, gain and bias each
                + 4 * (c * c + c) // query, key, value and output projections with biases
                + (c * m + m) + (m * c + c); // the MLP
        return (long) vocabSize * c // token embeddings
                + (long) contextLength * c // position embeddings
                + layers * perBlock
                + 2 * c // final layer norm
                + c * vocabSize + vocabSize; // output projection with bias
    }

    /**
     * Model FLOPs of one training token (forward and backward), the usual count: 6 per weight of every matrix
     * product (the blocks' four projections and MLP, 12 width^2 per block, and the output projection, width x
     * vocabulary) plus 12 x layers x context x width for the attention scores and weighted sums, counted over
     * the whole T x T square as computed (the causal mask discards half of it). Embedding look-ups, biases,
     * norms, softmax and the optimizer are not counted, nor the forward pass that DL4J repeats.
     */
    public long trainingFlopsPerToken() {
        long c = width;
        long matrixWeights = layers * (4 * c * c + 2 * c * mlpWidth()) + c * vocabSize;
        return 6 * matrixWeights + 12L * layers * contextLength * c;
    }

    public ModelSettings withVocabSize(int v) {
        return new ModelSettings(v, contextLength, width, layers, heads, mlpRatio, dropout);
    }

    public ModelSettings withContextLength(int t) {
        return new ModelSettings(vocabSize, t, width, layers, heads, mlpRatio, dropout);
    }

    public ModelSettings withDropout(double d) {
        return new ModelSettings(vocabSize, contextLength, width, layers, heads, mlpRatio, d);
    }
}
