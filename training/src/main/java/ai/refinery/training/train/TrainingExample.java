package ai.refinery.training.train;

import java.io.Serializable;
import java.util.Arrays;

/**
 * One training example: a window of context_length + 1 token ids (inputs the first T, targets the last T), an
 * optional loss mask over the T targets (1 = the target is trained on, 0 = neither loss nor gradient) and, for a
 * window of several packed conversations, the position of each of the T inputs within its conversation (0 starts
 * a new one: see {@link ai.refinery.training.model.PackedPositions}). No mask means every target counts, as in
 * pretraining; no positions means the window is one sequence.
 */
public record TrainingExample(int[] tokens, byte[] lossMask, int[] positions) implements Serializable {

    public TrainingExample {
        if (lossMask != null && lossMask.length != tokens.length - 1) {
            throw new IllegalArgumentException("the loss mask must have one value per target (" + (tokens.length - 1)
                    + "), got " + lossMask.length);
        }
        if (positions != null && positions.length != tokens.length - 1) {
            throw new IllegalArgumentException("the positions must have one value per input (" + (tokens.length - 1)
                    + "), got " + positions.length);
        }
    }

    public TrainingExample(int[] tokens, byte[] lossMask) {
        this(tokens, lossMask, null);
    }

    public static TrainingExample of(int[] tokens) {
        return new TrainingExample(tokens, null, null);
    }

    /**
     * Positions of the T inputs from the packed windows' segment column (the conversation index of each of the
     * T + 1 tokens, -1 for padding): 0 where a conversation starts, counting up within it; padding counts on
     * from the conversation before it. Null when the window holds one conversation (positions 0..T-1).
     */
    public static int[] positions(int[] segment, int t) {
        int[] p = new int[t];
        boolean restarted = false;
        for (int j = 1; j < t; j++) {
            boolean starts = segment[j] >= 0 && segment[j] != segment[j - 1];
            p[j] = starts ? 0 : p[j - 1] + 1;
            restarted |= starts;
        }
        return restarted ? p : null;
    }

    /** Positions that are trained on. */
    public int targets() {
        if (lossMask == null) {
            return tokens.length - 1;
        }
        int n = 0;
        for (byte m : lossMask) {
            n += m != 0 ? 1 : 0;
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TrainingExample e && Arrays.equals(tokens, e.tokens) && Arrays.equals(lossMask, e.lossMask)
                && Arrays.equals(positions, e.positions);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(tokens) + Arrays.hashCode(lossMask)) + Arrays.hashCode(positions);
    }

    @Override
    public String toString() {
        return "TrainingExample" + Arrays.toString(tokens) + (lossMask == null ? "" : " mask " + Arrays.toString(lossMask))
                + (positions == null ? "" : " positions " + Arrays.toString(positions));
    }
}
