package ai.refinery.training.generate;

import ai.refinery.training.tokenizer.BpeTokenizer;
import ai.refinery.training.tokenizer.SpecialTokens;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

/**
 * Autoregressive text generation with the decoder graph: greedy, temperature, top-k and top-p sampling, a token
 * budget, end-of-text and stop strings, seeded draws.
 *
 * <p>The graph is built for one fixed sequence length (the position embedding covers the context), so every step
 * runs the whole window: the tokens so far, padded at the end. That is exact for a causal model (position t sees
 * positions 0..t only); the next-token distribution is read at the last real position. There is no key/value
 * cache, so a step costs a full forward pass of the window.
 *
 * <p>Not thread-safe (a ComputationGraph is not): use one generator per thread ({@link ModelBundle#newGenerator()}).
 */
public final class Generator {
    private final ComputationGraph graph;
    private final BpeTokenizer tokenizer;
    private final int contextLength;
    private final int endOfText;
    private final int pad;
    /** Ids at and above this are never sampled (model vocabulary larger than the tokenizer's). */
    private final int sampleLimit;

    public Generator(ComputationGraph graph, BpeTokenizer tokenizer, int contextLength) {
        this.graph = graph;
        this.tokenizer = tokenizer;
        this.contextLength = contextLength;
        this.endOfText = tokenizer.endOfTextId();
        this.pad = tokenizer.idOf(SpecialTokens.PAD);
        this.sampleLimit = tokenizer.vocabSize();
    }

    public int contextLength() {
        return contextLength;
    }

    public BpeTokenizer tokenizer() {
        return tokenizer;
    }

    /** The prompt's token ids (special tokens such as chat markers in the prompt become their ids). */
    public int[] encode(String prompt) {
        return tokenizer.encode(prompt);
    }

    /** @throws PromptTooLongException when the prompt has more tokens than the context length */
    public Completion complete(String prompt, SamplingSettings settings) {
        return complete(encode(prompt), settings);
    }

    /** @throws PromptTooLongException when the prompt has more tokens than the context length */
    public Completion complete(int[] prompt, SamplingSettings settings) {
        if (prompt.length > contextLength) {
            throw new PromptTooLongException(prompt.length, contextLength);
        }
        // An empty prompt starts a fresh document, as after a document separator in training.
        int[] seq = new int[contextLength + 1];
        int len = prompt.length;
        System.arraycopy(prompt, 0, seq, 0, len);
        if (len == 0) {
            seq[len++] = endOfText;
        }
        int start = len;
        Random random = new Random(settings.seed());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int generated = 0;
        while (generated < settings.maxTokens()) {
            if (len > contextLength) {
                return new Completion(text(bytes), prompt.length, generated, Completion.FinishReason.LENGTH,
                        Arrays.copyOfRange(seq, start, len));
            }
            int next = choose(nextTokenProbabilities(seq, len), settings, random);
            if (next == endOfText) {
                return new Completion(text(bytes), prompt.length, generated, Completion.FinishReason.STOP,
                        Arrays.copyOfRange(seq, start, len));
            }
            seq[len++] = next;
            generated++;
            bytes.writeBytes(tokenizer.tokenBytes(next));
            if (!settings.stop().isEmpty()) {
                String sofar = text(bytes);
                int cut = firstStop(sofar, settings);
                if (cut >= 0) {
                    return new Completion(sofar.substring(0, cut), prompt.length, generated, Completion.FinishReason.STOP,
                        Arrays.copyOfRange(seq, start, len));
                }
            }
        }
        return new Completion(text(bytes), prompt.length, generated, Completion.FinishReason.LENGTH,
                        Arrays.copyOfRange(seq, start, len));
    }

    private static String text(ByteArrayOutputStream bytes) {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static int firstStop(String text, SamplingSettings settings) {
        int best = -1;
        for (String s : settings.stop()) {
            int at = text.indexOf(s);
            if (at >= 0 && (best < 0 || at < best)) {
                best = at;
            }
        }
        return best;
    }

    /** The model's next-token distribution after the first {@code len} tokens of {@code seq}. */
    double[] nextTokenProbabilities(int[] seq, int len) {
        INDArray f = Nd4j.create(graph.getConfiguration().getDataType(), 1, contextLength);
        for (int j = 0; j < contextLength; j++) {
            f.putScalar(0, j, j < len ? seq[j] : pad);
        }
        INDArray out = graph.outputSingle(false, f);
        return out.get(NDArrayIndex.point(0), NDArrayIndex.all(), NDArrayIndex.point(len - 1)).toDoubleVector();
    }

    /** The next token for a distribution (see {@link #choose(double[], int, int, SamplingSettings, Random)}). */
    int choose(double[] p, SamplingSettings s, Random random) {
        return choose(p, sampleLimit, pad, s, random);
    }

    /**
     * Picks a token from a probability vector: the argmax when greedy (lowest id on ties), else a draw from
     * p^(1/temperature) restricted to the top k and then to the top-p nucleus. Ids at or above {@code limit} and
     * the {@code excluded} id (padding) are never chosen. Deterministic for a given {@code random} state.
     */
    static int choose(double[] p, int limit, int excluded, SamplingSettings s, Random random) {
        int n = Math.min(limit, p.length);
        if (s.isGreedy()) {
            int best = -1;
            for (int i = 0; i < n; i++) {
                if (i != excluded && (best < 0 || p[i] > p[best])) {
                    best = i;
                }
            }
            return best;
        }
        // Candidates by decreasing probability, lowest id first on ties: a fixed order for a fixed draw.
        Integer[] order = new Integer[n];
        int m = 0;
        for (int i = 0; i < n; i++) {
            if (i != excluded && p[i] > 0) {
                order[m++] = i;
            }
        }
        if (m == 0) {
            return excluded == 0 ? 1 : 0;
        }
        Integer[] cand = Arrays.copyOf(order, m);
        Arrays.sort(cand, (a, b) -> p[a] != p[b] ? Double.compare(p[b], p[a]) : Integer.compare(a, b));
        if (s.topK() > 0 && s.topK() < m) {
            m = s.topK();
        }
        // Weights p^(1/T), scaled by the largest so that small temperatures do not underflow to zero.
        double[] w = new double[m];
        double logMax = Math.log(p[cand[0]]);
        double total = 0;
        for (int i = 0; i < m; i++) {
            w[i] = Math.exp((Math.log(p[cand[i]]) - logMax) / s.temperature());
            total += w[i];
        }
        if (s.topP() < 1) {
            double mass = 0;
            int keep = m;
            for (int i = 0; i < m; i++) {
                mass += w[i] / total;
                if (mass >= s.topP()) {
                    keep = i + 1;
                    break;
                }
            }
            m = keep;
            total = 0;
            for (int i = 0; i < m; i++) {
                total += w[i];
            }
        }
        double u = random.nextDouble() * total;
        for (int i = 0; i < m; i++) {
            u -= w[i];
            if (u < 0) {
                return cand[i];
            }
        }
        return cand[m - 1];
    }
}
