package ai.refinery.training.decode;

import java.util.Arrays;

/** What a sequence has seen: its prompt and the tokens generated so far, with counts for the penalties. */
public final class TokenHistory {
    private final int[] prompt;
    private int[] generated = new int[16];
    private int generatedCount;
    /** Occurrences of each token among the generated ones. */
    private final int[] responseCounts;
    private int[] responseDistinct = new int[16];
    private int responseDistinctCount;
    /** Whether a token occurs in the prompt or the response. */
    private final boolean[] seen;
    private int[] seenDistinct = new int[16];
    private int seenDistinctCount;

    public TokenHistory(int[] prompt, int vocab) {
        this.prompt = prompt.clone();
        this.responseCounts = new int[vocab];
        this.seen = new boolean[vocab];
        for (int t : prompt) {
            markSeen(t);
        }
    }

    private void markSeen(int t) {
        if (t >= 0 && t < seen.length && !seen[t]) {
            seen[t] = true;
            if (seenDistinctCount == seenDistinct.length) {
                seenDistinct = Arrays.copyOf(seenDistinct, seenDistinctCount * 2);
            }
            seenDistinct[seenDistinctCount++] = t;
        }
    }

    public void add(int token) {
        if (generatedCount == generated.length) {
            generated = Arrays.copyOf(generated, generatedCount * 2);
        }
        generated[generatedCount++] = token;
        if (responseCounts[token]++ == 0) {
            if (responseDistinctCount == responseDistinct.length) {
                responseDistinct = Arrays.copyOf(responseDistinct, responseDistinctCount * 2);
            }
            responseDistinct[responseDistinctCount++] = token;
        }
        markSeen(token);
    }

    public int[] prompt() {
        return prompt.clone();
    }

    /** Tokens generated so far (the response length). */
    public int length() {
        return generatedCount;
    }

    public int[] generated() {
        return Arrays.copyOf(generated, generatedCount);
    }

    public int responseCount(int token) {
        return responseCounts[token];
    }

    /** Distinct tokens of the response, in order of first use; valid up to {@link #responseDistinctCount()}. */
    int[] responseDistinct() {
        return responseDistinct;
    }

    int responseDistinctCount() {
        return responseDistinctCount;
    }

    /** Distinct tokens of prompt and response; valid up to {@link #seenDistinctCount()}. */
    int[] seenDistinct() {
        return seenDistinct;
    }

    int seenDistinctCount() {
        return seenDistinctCount;
    }
}
