package ai.refinery.training.model;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;

/**
 * Where the sequences of packed windows start, for one minibatch: for every example and input position, the
 * position of its token within its own sequence (a conversation of a packed SFT window). A position of 0 after the
 * first starts a new sequence. The position embedding adds the vector of that position (positions restart at each
 * sequence) and attention lets a query see the keys of its own sequence only, up to itself (block-diagonal causal).
 * A window of one sequence has positions 0..T-1: exactly the model without positions.
 *
 * <p>Built once per minibatch and shared by the layers ({@link GptModel#setPositions}); its arrays are made on
 * first use, outside any workspace.
 */
public final class PackedPositions {
    /** Added to the attention scores of keys a query must not see (later, or in another sequence). */
    static final double MASKED = -1e9;

    private final int[][] positions;
    private final int length;
    private INDArray oneHot;
    private INDArray attentionBias;

    private PackedPositions(int[][] positions) {
        this.positions = positions;
        this.length = positions[0].length;
    }

    /**
     * @param positions [minibatch][T]: each row starts at 0 and every next value is its predecessor + 1 (same
     *                  sequence) or 0 (a new sequence)
     */
    public static PackedPositions of(int[][] positions) {
        if (positions.length == 0) {
            throw new IllegalArgumentException("no examples");
        }
        int t = positions[0].length;
        int[][] copy = new int[positions.length][];
        for (int i = 0; i < positions.length; i++) {
            int[] p = positions[i];
            if (p.length != t || t == 0 || p[0] != 0) {
                throw new IllegalArgumentException("example " + i + ": positions must hold " + t
                        + " values starting at 0, got " + Arrays.toString(p));
            }
            for (int j = 1; j < t; j++) {
                if (p[j] != 0 && p[j] != p[j - 1] + 1) {
                    throw new IllegalArgumentException("example " + i + ": position " + j + " is " + p[j]
                            + ", neither 0 nor " + (p[j - 1] + 1));
                }
            }
            copy[i] = p.clone();
        }
        return new PackedPositions(copy);
    }

    /** Whether positions are 0..n-1: one sequence filling the window (null counts as that). */
    public static boolean isOneSequence(int[] positions) {
        if (positions == null) {
            return true;
        }
        for (int j = 0; j < positions.length; j++) {
            if (positions[j] != j) {
                return false;
            }
        }
        return true;
    }

    public int minibatch() {
        return positions.length;
    }

    public int length() {
        return length;
    }

    public int[] positions(int example) {
        return positions[example].clone();
    }

    private void check(long minibatch, long length) {
        if (minibatch != positions.length || length != this.length) {
            throw new IllegalArgumentException("the positions are for " + positions.length + " examples of "
                    + this.length + ", the input has " + minibatch + " of " + length);
        }
    }

    /**
     * [minibatch * T, tableLength] one-hot rows (example-major): row (b, t) selects position positions[b][t] of a
     * position table; multiplying by the table gathers the vectors, its transpose scatters gradients back.
     */
    INDArray oneHot(DataType type, long minibatch, long t, long tableLength) {
        check(minibatch, t);
        if (oneHot == null || oneHot.dataType() != type || oneHot.size(1) != tableLength) {
            // Filled as a Java array and copied once: a put per element costs more than the products it serves.
            float[] m = new float[Math.toIntExact((long) positions.length * length * tableLength)];
            for (int b = 0; b < positions.length; b++) {
                for (int j = 0; j < length; j++) {
                    if (positions[b][j] >= tableLength) {
                        throw new IllegalArgumentException("position " + positions[b][j]
                                + " beyond the model's context length " + tableLength);
                    }
                    m[(int) (((long) b * length + j) * tableLength + positions[b][j])] = 1f;
                }
            }
            try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                oneHot = Nd4j.createFromArray(m).reshape((long) positions.length * length, tableLength).castTo(type);
            }
        }
        return oneHot;
    }

    /**
     * [minibatch, 1, T, T] added to the attention scores before the softmax: 0 where key k may be seen by query q
     * (q - positions[q] <= k <= q: the same sequence, not later), {@link #MASKED} elsewhere. Broadcast over heads.
     */
    INDArray attentionBias(DataType type, long minibatch, long t) {
        check(minibatch, t);
        if (attentionBias == null || attentionBias.dataType() != type) {
            float[] bias = new float[positions.length * length * length];
            Arrays.fill(bias, (float) MASKED);
            for (int b = 0; b < positions.length; b++) {
                for (int q = 0; q < length; q++) {
                    int base = (b * length + q) * length;
                    Arrays.fill(bias, base + q - positions[b][q], base + q + 1, 0f);
                }
            }
            try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                attentionBias = Nd4j.createFromArray(bias).reshape(positions.length, 1, length, length).castTo(type);
            }
        }
        return attentionBias;
    }
}
