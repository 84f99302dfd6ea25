package ai.refinery.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What a set of generated responses looks like, for comparing decoding settings: length in tokens (mean and median),
 * the share that stopped by themselves (end of text or end of turn, not the token limit or a full context), the
 * repeated 4-gram rate, and exact match where a reference exists.
 *
 * <p>Repeated 4-gram rate of one response: the share of its 4-grams (of token ids) that already occurred earlier in
 * the same response. Reported as the mean over the responses that have at least one 4-gram, and pooled (all
 * repeated 4-grams over all 4-grams, which weights long responses more).
 */
final class ResponseMetrics {
    static final int N = 4;

    private final List<Integer> lengths = new ArrayList<>();
    private long stopped;
    private long ngrams;
    private long repeatedNgrams;
    private double repeatShareSum;
    private long withNgrams;
    private long referenced;
    private long matched;

    /** How many of the n-grams of {@code tokens} (by start position) equal an n-gram that starts earlier. */
    static int repeatedNgrams(int[] tokens, int n) {
        Set<List<Integer>> seen = new HashSet<>();
        int repeated = 0;
        for (int i = 0; i + n <= tokens.length; i++) {
            List<Integer> gram = new ArrayList<>(n);
            for (int k = 0; k < n; k++) {
                gram.add(tokens[i + k]);
            }
            if (!seen.add(gram)) {
                repeated++;
            }
        }
        return repeated;
    }

    /**
     * @param tokens    the response's token ids (the end marker that stopped it is not among them)
     * @param stopped   whether it ended by an end-of-text or end-of-turn token
     * @param correct   exact match against the reference, or null where there is none
     */
    void add(int[] tokens, boolean stopped, Boolean correct) {
        lengths.add(tokens.length);
        if (stopped) {
            this.stopped++;
        }
        int grams = Math.max(0, tokens.length - N + 1);
        if (grams > 0) {
            int repeated = repeatedNgrams(tokens, N);
            ngrams += grams;
            repeatedNgrams += repeated;
            repeatShareSum += repeated / (double) grams;
            withNgrams++;
        }
        if (correct != null) {
            referenced++;
            if (correct) {
                matched++;
            }
        }
    }

    long responses() {
        return lengths.size();
    }

    double meanLength() {
        return lengths.stream().mapToInt(Integer::intValue).average().orElse(0);
    }

    /** The median length (the mean of the two middle values for an even count). */
    double medianLength() {
        if (lengths.isEmpty()) {
            return 0;
        }
        int[] sorted = lengths.stream().mapToInt(Integer::intValue).toArray();
        Arrays.sort(sorted);
        int m = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2.0;
    }

    double stopRate() {
        return lengths.isEmpty() ? 0 : stopped / (double) lengths.size();
    }

    /** Mean over responses with at least one 4-gram of their repeated 4-gram share. */
    double repeatRate() {
        return withNgrams == 0 ? 0 : repeatShareSum / withNgrams;
    }

    long responsesWithNgrams() {
        return withNgrams;
    }

    double pooledRepeatRate() {
        return ngrams == 0 ? 0 : repeatedNgrams / (double) ngrams;
    }

    /** Exact-match accuracy, or NaN when no response had a reference. */
    double exactMatch() {
        return referenced == 0 ? Double.NaN : matched / (double) referenced;
    }

    long matched() {
        return matched;
    }
}
