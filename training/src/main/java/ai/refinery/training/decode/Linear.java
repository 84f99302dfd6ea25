package ai.refinery.training.decode;

import java.util.Arrays;

/**
 * y = x W + b for a batch of rows, in plain Java over a read-only copy of W cut into column chunks.
 *
 * <p>W [in, out] is stored as chunks of at most {@link #CHUNK} output columns, one float[] per (chunk, input row),
 * and the outputs of a row are accumulated per chunk in arrays of their own: HotSpot's C2 vectorises the
 * inner loop {@code o[i] += s0 r0[i] + ... + s3 r3[i]} only when every array is indexed from 0, and a chunk of
 * 512 columns for up to {@link #ROW_TILE} rows stays in the L1 and L2 caches while the input rows stream past
 * (512 measured faster than 256 and 1024 on the small model).
 *
 * <p>Every output row is computed with the same operations in the same order whatever the other rows of the
 * batch are, so a sequence's logits do not depend on the batch it is decoded in (bit for bit).
 */
final class Linear {
    static final int CHUNK = 512;
    static final int ROW_TILE = 16;

    final int in;
    final int out;
    /** weights[chunk][input row] = W[input row][chunk * CHUNK .. +len) */
    private final float[][][] weights;
    private final float[] bias;

    /** @param w row-major [in, out]; @param b [out] or null */
    Linear(float[] w, float[] b, int in, int out) {
        this.in = in;
        this.out = out;
        int chunks = (out + CHUNK - 1) / CHUNK;
        weights = new float[chunks][in][];
        for (int k = 0; k < chunks; k++) {
            int from = k * CHUNK;
            int len = Math.min(CHUNK, out - from);
            for (int r = 0; r < in; r++) {
                weights[k][r] = Arrays.copyOfRange(w, r * out + from, r * out + from + len);
            }
        }
        bias = b == null ? new float[out] : b.clone();
    }

    int chunks() {
        return weights.length;
    }

    /** Scratch for up to {@code rows} rows: [row][chunk][len]. */
    float[][][] scratch(int rows) {
        float[][][] s = new float[rows][weights.length][];
        for (float[][] row : s) {
            for (int k = 0; k < weights.length; k++) {
                row[k] = new float[weights[k][0].length];
            }
        }
        return s;
    }

    /** y[r] = x[r] W + b for r in [0, n); y rows hold at least {@code out} values. */
    void apply(float[][] x, int n, float[][] y, float[][][] scratch) {
        for (int t0 = 0; t0 < n; t0 += ROW_TILE) {
            int t1 = Math.min(n, t0 + ROW_TILE);
            for (int k = 0; k < weights.length; k++) {
                float[][] wk = weights[k];
                int from = k * CHUNK;
                for (int r = t0; r < t1; r++) {
                    float[] o = scratch[r][k];
                    System.arraycopy(bias, from, o, 0, o.length);
                }
                int c = 0;
                for (; c + 3 < in; c += 4) {
                    float[] r0 = wk[c];
                    float[] r1 = wk[c + 1];
                    float[] r2 = wk[c + 2];
                    float[] r3 = wk[c + 3];
                    for (int r = t0; r < t1; r++) {
                        float[] xr = x[r];
                        float s0 = xr[c];
                        float s1 = xr[c + 1];
                        float s2 = xr[c + 2];
                        float s3 = xr[c + 3];
                        float[] o = scratch[r][k];
                        for (int i = 0; i < o.length; i++) {
                            o[i] += s0 * r0[i] + s1 * r1[i] + s2 * r2[i] + s3 * r3[i];
                        }
                    }
                }
                for (; c < in; c++) {
                    float[] r0 = wk[c];
                    for (int r = t0; r < t1; r++) {
                        float s0 = x[r][c];
                        float[] o = scratch[r][k];
                        for (int i = 0; i < o.length; i++) {
                            o[i] += s0 * r0[i];
                        }
                    }
                }
                for (int r = t0; r < t1; r++) {
                    float[] o = scratch[r][k];
                    System.arraycopy(o, 0, y[r], from, o.length);
                }
            }
        }
    }
}
