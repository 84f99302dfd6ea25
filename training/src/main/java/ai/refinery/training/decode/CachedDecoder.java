package ai.refinery.training.decode;

/**
 * The decoder's forward pass with a key/value cache, in plain Java over {@link DecoderWeights}: each call runs
 * a batch of rows, a row being one token of one sequence at its position; it appends the row's keys and values
 * to the sequence's cache and attends over the cached positions up to its own. A prompt is several rows of one
 * sequence in one call (its keys and values are stored before any of its rows attends); a decoding step is one
 * row per sequence. The logits are those of the full-window forward pass of the graph at the same positions.
 *
 * <p>Holds scratch buffers: one instance per thread (the weights are shared).
 */
final class CachedDecoder {
    /** GELU's tanh form 0.5 u (1 + tanh(sqrt(2/pi) (u + 0.044715 u^3))) = u sigmoid(u (K + K 0.044715 u^2)). */
    private static final float GELU_K = (float) (2 * Math.sqrt(2 / Math.PI));
    private static final float GELU_CUBIC = 0.044715f;

    private final DecoderWeights w;
    private final float queryScale;
    private int rowCapacity;
    private float[][] x;
    private float[][] normed;
    private float[][] qkv;
    private float[][] context;
    private float[][] hidden;
    private float[][] logitRows;
    private float[] scores;
    private final float[] headContext;
    private float[][][] scratchQkv;
    private float[][][] scratchWidth;
    private float[][][] scratchMlp;
    private float[][][] scratchOut;

    CachedDecoder(DecoderWeights w) {
        this.w = w;
        this.queryScale = (float) (1.0 / Math.sqrt(w.headSize));
        this.scores = new float[w.contextLength];
        this.headContext = new float[w.headSize];
        ensureRows(16);
    }

    private void ensureRows(int n) {
        if (n <= rowCapacity) {
            return;
        }
        int cap = Math.max(n, rowCapacity * 2);
        x = new float[cap][w.width];
        normed = new float[cap][w.width];
        qkv = new float[cap][3 * w.width];
        context = new float[cap][w.width];
        hidden = new float[cap][w.mlpWidth];
        logitRows = new float[cap][];
        scratchQkv = w.blocks[0].qkv.scratch(cap);
        scratchWidth = w.blocks[0].attentionOut.scratch(cap);
        scratchMlp = w.blocks[0].up.scratch(cap);
        scratchOut = w.output.scratch(cap);
        rowCapacity = cap;
    }

    /**
     * Runs rows [0, n): row r is token {@code tokens[r]} of the sequence cached in {@code caches[r]}, at position
     * {@code positions[r]}, which must be the cache's next free position (rows of one sequence in order). For each
     * row with {@code logits[r] != null} the next-token logits are written there.
     */
    void forward(KvCache[] caches, int[] tokens, int[] positions, int n, float[][] logits) {
        ensureRows(n);
        int c = w.width;
        for (int r = 0; r < n; r++) {
            KvCache cache = caches[r];
            if (positions[r] >= cache.capacity || positions[r] >= w.contextLength) {
                throw new IllegalArgumentException("position " + positions[r] + " is beyond the cache ("
                        + cache.capacity + " positions)");
            }
            float[] e = w.tokenEmbedding[tokens[r]];
            float[] p = w.positionEmbedding[positions[r]];
            float[] xr = x[r];
            for (int i = 0; i < c; i++) {
                xr[i] = e[i] + p[i];
            }
        }
        for (int l = 0; l < w.blocks.length; l++) {
            DecoderWeights.Block b = w.blocks[l];
            for (int r = 0; r < n; r++) {
                layerNorm(x[r], b.ln1Gain, b.ln1Bias, normed[r]);
            }
            b.qkv.apply(normed, n, qkv, scratchQkv);
            for (int r = 0; r < n; r++) {
                store(l, caches[r], positions[r], qkv[r]);
            }
            for (int r = 0; r < n; r++) {
                attend(l, caches[r], positions[r], qkv[r], context[r]);
            }
            b.attentionOut.apply(context, n, normed, scratchWidth);
            for (int r = 0; r < n; r++) {
                float[] xr = x[r];
                float[] a = normed[r];
                for (int i = 0; i < c; i++) {
                    xr[i] += a[i];
                }
                layerNorm(xr, b.ln2Gain, b.ln2Bias, normed[r]);
            }
            b.up.apply(normed, n, hidden, scratchMlp);
            for (int r = 0; r < n; r++) {
                gelu(hidden[r]);
            }
            b.down.apply(hidden, n, normed, scratchWidth);
            for (int r = 0; r < n; r++) {
                float[] xr = x[r];
                float[] a = normed[r];
                for (int i = 0; i < c; i++) {
                    xr[i] += a[i];
                }
            }
        }
        for (int r = 0; r < n; r++) {
            caches[r].length = Math.max(caches[r].length, positions[r] + 1);
        }
        // The output projection only for the rows whose logits are wanted (a prompt's last row, a step's rows).
        int m = 0;
        for (int r = 0; r < n; r++) {
            if (logits[r] != null) {
                layerNorm(x[r], w.finalGain, w.finalBias, normed[m]);
                logitRows[m++] = logits[r];
            }
        }
        if (m > 0) {
            w.output.apply(normed, m, logitRows, scratchOut);
        }
        for (int r = 0; r < m; r++) {
            logitRows[r] = null;
        }
    }

    /** Scales the query part of a qkv row and stores the key and value parts in the cache. */
    private void store(int layer, KvCache cache, int position, float[] qkvRow) {
        int c = w.width;
        int hs = w.headSize;
        for (int i = 0; i < c; i++) {
            qkvRow[i] *= queryScale;
        }
        for (int h = 0; h < w.heads; h++) {
            float[][] k = cache.keys[layer][h];
            float[] v = cache.values[layer][h][position];
            int base = h * hs;
            for (int d = 0; d < hs; d++) {
                k[d][position] = qkvRow[c + base + d];
            }
            System.arraycopy(qkvRow, 2 * c + base, v, 0, hs);
        }
    }

    /**
     * Causal attention of one query row over cached positions 0..position, written to out [width]. The loops run
     * over whole arrays from index 0, four keys' dimensions (or four positions' values) per pass, the form C2
     * vectorises.
     */
    private void attend(int layer, KvCache cache, int position, float[] qkvRow, float[] out) {
        int hs = w.headSize;
        int len = position + 1;
        float[] s = scores;
        for (int h = 0; h < w.heads; h++) {
            float[][] k = cache.keys[layer][h];
            int base = h * hs;
            java.util.Arrays.fill(s, 0, len, 0f);
            int d = 0;
            for (; d + 3 < hs; d += 4) {
                float q0 = qkvRow[base + d];
                float q1 = qkvRow[base + d + 1];
                float q2 = qkvRow[base + d + 2];
                float q3 = qkvRow[base + d + 3];
                float[] k0 = k[d];
                float[] k1 = k[d + 1];
                float[] k2 = k[d + 2];
                float[] k3 = k[d + 3];
                for (int t = 0; t < len; t++) {
                    s[t] += q0 * k0[t] + q1 * k1[t] + q2 * k2[t] + q3 * k3[t];
                }
            }
            for (; d < hs; d++) {
                float q = qkvRow[base + d];
                float[] kd = k[d];
                for (int t = 0; t < len; t++) {
                    s[t] += q * kd[t];
                }
            }
            float max = Float.NEGATIVE_INFINITY;
            for (int t = 0; t < len; t++) {
                max = Math.max(max, s[t]);
            }
            float sum = 0;
            for (int t = 0; t < len; t++) {
                float e = (float) Math.exp(s[t] - max);
                s[t] = e;
                sum += e;
            }
            float inv = 1f / sum;
            float[][] v = cache.values[layer][h];
            float[] ctx = headContext;
            java.util.Arrays.fill(ctx, 0f);
            int t = 0;
            for (; t + 3 < len; t += 4) {
                float p0 = s[t] * inv;
                float p1 = s[t + 1] * inv;
                float p2 = s[t + 2] * inv;
                float p3 = s[t + 3] * inv;
                float[] v0 = v[t];
                float[] v1 = v[t + 1];
                float[] v2 = v[t + 2];
                float[] v3 = v[t + 3];
                for (int i = 0; i < hs; i++) {
                    ctx[i] += p0 * v0[i] + p1 * v1[i] + p2 * v2[i] + p3 * v3[i];
                }
            }
            for (; t < len; t++) {
                float p = s[t] * inv;
                float[] vt = v[t];
                for (int i = 0; i < hs; i++) {
                    ctx[i] += p * vt[i];
                }
            }
            System.arraycopy(ctx, 0, out, base, hs);
        }
    }

    private static void layerNorm(float[] in, float[] gain, float[] bias, float[] out) {
        int n = in.length;
        float mean = 0;
        for (float v : in) {
            mean += v;
        }
        mean /= n;
        float var = 0;
        for (float v : in) {
            float d = v - mean;
            var += d * d;
        }
        var /= n;
        float inv = (float) (1.0 / Math.sqrt(var + DecoderWeights.LAYER_NORM_EPSILON));
        for (int i = 0; i < n; i++) {
            out[i] = (in[i] - mean) * inv * gain[i] + bias[i];
        }
    }

    private static void gelu(float[] u) {
        for (int i = 0; i < u.length; i++) {
            float v = u[i];
            float z = v * (GELU_K + GELU_K * GELU_CUBIC * v * v);
            u[i] = v / (1f + (float) Math.exp(-z));
        }
    }
}
