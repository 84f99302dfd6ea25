package ai.refinery.training.train;

import java.io.Serializable;
import java.util.Arrays;

/**
 * One training example: a window of context_length + 1 token ids (inputs the first T, targets the last T) and
 * an optional loss mask over the T targets (1 = the target is trained on, 0 = neither loss nor gradient). No
 * mask means every target counts, as in pretraining.
 */
public record TrainingExample(int[] tokens, byte[] lossMask) implements Serializable {

    public TrainingExample {
        if (lossMask != null && lossMask.length != tokens.length - 1) {
            throw new IllegalArgumentException("the loss mask must have one value per target (" + (tokens.length - 1)
                    + "), got " + lossMask.length);
        }
    }

    public static TrainingExample of(int[] tokens) {
        return new TrainingExample(tokens, null);
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
        return o instanceof TrainingExample e && Arrays.equals(tokens, e.tokens) && Arrays.equals(lossMask, e.lossMask);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(tokens) + Arrays.hashCode(lossMask);
    }

    @Override
    public String toString() {
        return "TrainingExample" + Arrays.toString(tokens) + (lossMask == null ? "" : " mask " + Arrays.toString(lossMask));
    }
}
