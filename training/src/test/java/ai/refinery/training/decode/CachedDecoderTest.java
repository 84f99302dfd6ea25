package ai.refinery.training.decode;

import ai.refinery.training.model.GptModel;
import ai.refinery.training.model.ModelSettings;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The cached forward pass against the graph's full-window forward pass, at every position. */
class CachedDecoderTest {
    static final int VOCAB = 50;
    static final int T = 12;

    /** A 3-block decoder whose every parameter (gains and biases too) is random, so each one is exercised. */
    static ComputationGraph randomGraph(long seed) {
        ModelSettings m = new ModelSettings(VOCAB, T, 24, 3, 3, 2, 0);
        ComputationGraph g = GptModel.build(m, GptModel.Optimization.none(), DataType.FLOAT, seed);
        Nd4j.getRandom().setSeed(seed);
        g.params().assign(Nd4j.randn(DataType.FLOAT, g.params().shape()).muli(0.4));
        return g;
    }

    /** Full-window logits [positions][vocab] of one prompt: the graph's ln_f activations times the output layer. */
    static float[][] fullWindowLogits(ComputationGraph g, int[] prompt) {
        INDArray f = Nd4j.create(DataType.FLOAT, 1, T);
        for (int j = 0; j < T; j++) {
            f.putScalar(0, j, j < prompt.length ? prompt[j] : 0);
        }
        Map<String, INDArray> acts = g.feedForward(f, false);
        INDArray h = acts.get("ln_f").get(org.nd4j.linalg.indexing.NDArrayIndex.point(0)).transpose(); // [T, C]
        INDArray w = g.getLayer(GptModel.OUTPUT).getParam("W");
        INDArray b = g.getLayer(GptModel.OUTPUT).getParam("b");
        INDArray logits = h.mmul(w).addiRowVector(b);
        // The graph's own output: the softmax of exactly these logits.
        INDArray probs = acts.get(GptModel.OUTPUT);
        for (int t = 0; t < prompt.length; t++) {
            float[] l = logits.getRow(t).toFloatVector();
            double max = Double.NEGATIVE_INFINITY;
            for (float v : l) {
                max = Math.max(max, v);
            }
            double z = 0;
            for (float v : l) {
                z += Math.exp(v - max);
            }
            for (int v = 0; v < VOCAB; v += 7) {
                assertEquals(probs.getDouble(0, v, t), Math.exp(l[v] - max) / z, 1e-5);
            }
        }
        float[][] out = new float[prompt.length][];
        for (int t = 0; t < prompt.length; t++) {
            out[t] = logits.getRow(t).toFloatVector();
        }
        return out;
    }

    private static int[] randomPrompt(Random r, int length) {
        int[] p = new int[length];
        for (int i = 0; i < length; i++) {
            p[i] = r.nextInt(VOCAB);
        }
        return p;
    }

    private static void assertClose(float[] expected, float[] actual, String where) {
        for (int v = 0; v < expected.length; v++) {
            assertEquals(expected[v], actual[v], 1e-4, where + ", token " + v);
        }
    }

    @Test
    void cachedLogitsMatchTheFullWindowAtEveryPositionWhateverTheBatching() {
        ComputationGraph g = randomGraph(7);
        DecoderWeights w = DecoderWeights.from(g);
        assertEquals(T, w.contextLength());
        assertEquals(3, w.layers());
        CachedDecoder d = new CachedDecoder(w);
        Random r = new Random(3);
        int[][] prompts = {randomPrompt(r, T), randomPrompt(r, 5), randomPrompt(r, 9), randomPrompt(r, 1)};
        float[][][] full = new float[prompts.length][][];
        for (int i = 0; i < prompts.length; i++) {
            full[i] = fullWindowLogits(g, prompts[i]);
        }
        // 1. Token by token, one sequence at a time (the decoding steps of one prompt).
        for (int i = 0; i < prompts.length; i++) {
            KvCache cache = new KvCache(w, T);
            for (int t = 0; t < prompts[i].length; t++) {
                float[][] logits = {new float[VOCAB]};
                d.forward(new KvCache[] {cache}, new int[] {prompts[i][t]}, new int[] {t}, 1, logits);
                assertClose(full[i][t], logits[0], "step, prompt " + i + ", position " + t);
            }
        }
        // 2. Every prompt whole in one call, logits at every row.
        KvCache[] caches = new KvCache[prompts.length];
        int rows = 0;
        for (int[] p : prompts) {
            rows += p.length;
        }
        KvCache[] rowCaches = new KvCache[rows];
        int[] tokens = new int[rows];
        int[] positions = new int[rows];
        float[][] logits = new float[rows][];
        int n = 0;
        for (int i = 0; i < prompts.length; i++) {
            caches[i] = new KvCache(w, T);
            for (int t = 0; t < prompts[i].length; t++) {
                rowCaches[n] = caches[i];
                tokens[n] = prompts[i][t];
                positions[n] = t;
                logits[n] = new float[VOCAB];
                n++;
            }
        }
        d.forward(rowCaches, tokens, positions, n, logits);
        n = 0;
        for (int i = 0; i < prompts.length; i++) {
            for (int t = 0; t < prompts[i].length; t++) {
                assertClose(full[i][t], logits[n++], "prefill, prompt " + i + ", position " + t);
            }
        }
        // 3. Prompt halves, then interleaved steps: bit for bit what the token-by-token run of (1) gave.
        KvCache a = new KvCache(w, T);
        KvCache b = new KvCache(w, T);
        float[] lastA = new float[VOCAB];
        d.forward(new KvCache[] {a, a, a, b}, new int[] {prompts[0][0], prompts[0][1], prompts[0][2], prompts[2][0]},
                new int[] {0, 1, 2, 0}, 4, new float[][] {null, null, lastA, null});
        assertClose(full[0][2], lastA, "chunked prefill");
        for (int t = 3; t < T; t++) {
            float[] la = new float[VOCAB];
            float[] lb = new float[VOCAB];
            if (t - 2 < prompts[2].length) {
                d.forward(new KvCache[] {b, a}, new int[] {prompts[2][t - 2], prompts[0][t]}, new int[] {t - 2, t}, 2,
                        new float[][] {lb, la});
                assertClose(full[2][t - 2], lb, "interleaved, prompt 2, position " + (t - 2));
            } else {
                d.forward(new KvCache[] {a}, new int[] {prompts[0][t]}, new int[] {t}, 1, new float[][] {la});
            }
            assertClose(full[0][t], la, "interleaved, prompt 0, position " + t);
        }
    }

    @Test
    void aRowsLogitsDoNotDependOnTheOtherRowsBitForBit() {
        ComputationGraph g = randomGraph(11);
        DecoderWeights w = DecoderWeights.from(g);
        CachedDecoder d = new CachedDecoder(w);
        Random r = new Random(5);
        int[] prompt = randomPrompt(r, 6);
        float[] alone = new float[VOCAB];
        KvCache c = new KvCache(w, T);
        d.forward(new KvCache[] {c, c, c, c, c, c}, prompt, new int[] {0, 1, 2, 3, 4, 5}, 6,
                new float[][] {null, null, null, null, null, alone});
        // The same prompt among 20 other sequences (more rows than one row tile of the matrix products).
        int others = 20;
        KvCache[] caches = new KvCache[6 + others];
        int[] tokens = new int[6 + others];
        int[] positions = new int[6 + others];
        float[][] logits = new float[6 + others][];
        for (int i = 0; i < others; i++) {
            caches[i] = new KvCache(w, T);
            tokens[i] = r.nextInt(VOCAB);
            logits[i] = new float[VOCAB];
        }
        KvCache mine = new KvCache(w, T);
        for (int t = 0; t < 6; t++) {
            caches[others + t] = mine;
            tokens[others + t] = prompt[t];
            positions[others + t] = t;
        }
        float[] batched = new float[VOCAB];
        logits[others + 5] = batched;
        d.forward(caches, tokens, positions, others + 6, logits);
        assertArrayEquals(alone, batched);
        assertTrue(alone[0] != 0 || alone[1] != 0);
    }
}
