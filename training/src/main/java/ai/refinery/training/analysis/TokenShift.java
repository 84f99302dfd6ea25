package ai.refinery.training.analysis;

import java.util.List;

/**
 * The token-shift categories of URIAL (Lin et al. 2024): a token the aligned model emits is unshifted when the
 * base model ranks it first at the same prefix, marginal when it ranks it 2..marginalMaxRank, shifted beyond.
 */
public final class TokenShift {
    public static final String UNSHIFTED = "unshifted";
    public static final String MARGINAL = "marginal";
    public static final String SHIFTED = "shifted";
    public static final List<String> CATEGORIES = List.of(UNSHIFTED, MARGINAL, SHIFTED);

    private TokenShift() {
    }

    public static String category(int baseRank, int marginalMaxRank) {
        if (baseRank < 1) {
            throw new IllegalArgumentException("ranks start at 1, got " + baseRank);
        }
        return baseRank == 1 ? UNSHIFTED : baseRank <= marginalMaxRank ? MARGINAL : SHIFTED;
    }

    /** The label of the bucket holding a position: "a-b" for [a, b], "a" for a single position, "a+" for the last. */
    public static String bucket(int position, List<Integer> starts) {
        int i = starts.size() - 1;
        while (i > 0 && starts.get(i) > position) {
            i--;
        }
        int from = starts.get(i);
        if (i == starts.size() - 1) {
            return from + "+";
        }
        int to = starts.get(i + 1) - 1;
        return from == to ? String.valueOf(from) : from + "-" + to;
    }
}
