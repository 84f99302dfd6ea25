package ai.refinery.training.decode;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Teacher-forced log-probabilities and ranks against the graph's full-window forward pass. */
class TokenScorerTest {
    private static final int VOCAB = CachedDecoderTest.VOCAB;
    private static final int T = CachedDecoderTest.T;

    private static int[] random(Random r, int length) {
        int[] p = new int[length];
        for (int i = 0; i < length; i++) {
            p[i] = r.nextInt(VOCAB);
        }
        return p;
    }

    private static double logSoftmax(float[] l, int token) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : l) {
            max = Math.max(max, v);
        }
        double z = 0;
        for (float v : l) {
            z += Math.exp(v - max);
        }
        return l[token] - max - Math.log(z);
    }

    @Test
    void logprobsAndRanksAreTheFullWindowsAtEveryTarget() {
        ComputationGraph g = CachedDecoderTest.randomGraph(13);
        DecoderWeights w = DecoderWeights.from(g);
        Random r = new Random(9);
        // (context, targets): long and short, a target list reaching the last position (T + 1 tokens in all),
        // one target, and an empty context (end of text, id 0, stands for it).
        List<int[]> contexts = List.of(random(r, 3), random(r, 1), random(r, 7), random(r, 10), new int[0]);
        List<int[]> targets = List.of(random(r, 6), random(r, T), random(r, 1), random(r, 3), random(r, 4));
        int[] endOfText = {0};

        List<TokenScorer.Scores> batched = new TokenScorer(w, 0, 512).scoreAll(contexts, targets);
        // Few rows per step: sequences cut across steps give the same numbers, bit for bit.
        List<TokenScorer.Scores> small = new TokenScorer(w, 0, 5).scoreAll(contexts, targets);
        for (int i = 0; i < contexts.size(); i++) {
            int[] context = contexts.get(i).length == 0 ? endOfText : contexts.get(i);
            int[] target = targets.get(i);
            int[] whole = new int[context.length + target.length];
            System.arraycopy(context, 0, whole, 0, context.length);
            System.arraycopy(target, 0, whole, context.length, target.length);
            // Full-window logits at positions 0..T-1 predict tokens 1..T.
            int[] input = java.util.Arrays.copyOf(whole, Math.min(whole.length, T));
            float[][] full = CachedDecoderTest.fullWindowLogits(g, input);
            TokenScorer.Scores s = batched.get(i);
            assertArrayEquals(target, s.tokens());
            double sum = 0;
            for (int j = 0; j < target.length; j++) {
                float[] l = full[context.length - 1 + j];
                double expected = logSoftmax(l, target[j]);
                assertEquals(expected, s.logprobs()[j], 1e-4, "pair " + i + ", target " + j);
                sum += s.logprobs()[j];
                int strictlyAbove = 0;
                int nearOrAbove = 0;
                for (float v : l) {
                    strictlyAbove += v > l[target[j]] + 1e-3 ? 1 : 0;
                    nearOrAbove += v > l[target[j]] - 1e-3 ? 1 : 0;
                }
                assertTrue(s.ranks()[j] >= strictlyAbove + 1 && s.ranks()[j] <= nearOrAbove,
                        "rank " + s.ranks()[j] + " of pair " + i + ", target " + j);
            }
            assertEquals(sum, s.sum(), 1e-9);
            assertEquals(sum / target.length, s.mean(), 1e-9);
            assertArrayEquals(s.logprobs(), small.get(i).logprobs());
            assertArrayEquals(s.ranks(), small.get(i).ranks());
            // Alone: the same numbers as in the batch.
            assertArrayEquals(s.logprobs(), new TokenScorer(w, 0, 512).score(contexts.get(i), target).logprobs());
        }
    }

    @Test
    void theGreedyContinuationHasRankOneEverywhere() {
        ComputationGraph g = CachedDecoderTest.randomGraph(21);
        DecoderWeights w = DecoderWeights.from(g);
        int[] prompt = {4, 8, 15};
        // Greedy continuation from the full-window logits: each next token is the argmax at its prefix.
        List<Integer> seq = new ArrayList<>(List.of(4, 8, 15));
        while (seq.size() < T) {
            float[][] full = CachedDecoderTest.fullWindowLogits(g, seq.stream().mapToInt(Integer::intValue).toArray());
            seq.add(SamplingChain.argmax(full[seq.size() - 1]));
        }
        int[] continuation = seq.subList(3, T).stream().mapToInt(Integer::intValue).toArray();
        TokenScorer.Scores s = new TokenScorer(w, 0, 512).score(prompt, continuation);
        for (int j = 0; j < continuation.length; j++) {
            assertEquals(1, s.ranks()[j], "position " + j);
        }
        // A token the model puts last has rank = the vocabulary size.
        float[][] full = CachedDecoderTest.fullWindowLogits(g, prompt);
        int worst = 0;
        for (int v = 1; v < VOCAB; v++) {
            if (full[2][v] < full[2][worst]) {
                worst = v;
            }
        }
        assertEquals(VOCAB, new TokenScorer(w, 0, 512).score(prompt, new int[] {worst}).ranks()[0]);
    }

    @Test
    void refusesWhatDoesNotFit() {
        DecoderWeights w = DecoderWeights.from(CachedDecoderTest.randomGraph(2));
        TokenScorer scorer = new TokenScorer(w, 0, 512);
        assertEquals(T + 1, scorer.maxTokens());
        assertThrows(PromptTooLongException.class, () -> scorer.score(new int[T], new int[2]));
        assertThrows(IllegalArgumentException.class, () -> scorer.score(new int[] {1}, new int[] {VOCAB}));
        TokenScorer.Scores none = scorer.score(new int[] {1, 2}, new int[0]);
        assertEquals(0, none.size());
        assertTrue(Double.isNaN(none.mean()));
    }

    @Test
    void ranksCanLeaveOutIdsAboveTheTokenizerAndPadding() {
        float[] logits = {1f, 3f, 2f, 3f, -1f};
        assertEquals(1, TokenScorer.rank(logits, 1, 5, -1));
        assertEquals(1, TokenScorer.rank(logits, 3, 5, -1), "ties share the better rank");
        assertEquals(3, TokenScorer.rank(logits, 2, 5, -1));
        assertEquals(2, TokenScorer.rank(logits, 2, 3, -1), "ids at or above the limit are not counted");
        assertEquals(2, TokenScorer.rank(logits, 2, 5, 1), "nor is the skipped id");
        double z = Math.exp(1) + 2 * Math.exp(3) + Math.exp(2) + Math.exp(-1);
        assertEquals(Math.log(Math.exp(2) / z), TokenScorer.logprob(logits, 2), 1e-9);

        DecoderWeights w = DecoderWeights.from(CachedDecoderTest.randomGraph(17));
        int[] prompt = {3, 5, 7};
        int[] targets = {1, 2, 4, 6};
        TokenScorer.Scores all = new TokenScorer(w, 0, 512).score(prompt, targets);
        TokenScorer.Scores limited = new TokenScorer(w, 0, 512, VOCAB - 2, 1).score(prompt, targets);
        assertArrayEquals(all.logprobs(), limited.logprobs(), "log-probabilities stay over the whole output");
        boolean fewer = false;
        for (int i = 0; i < targets.length; i++) {
            assertTrue(limited.ranks()[i] <= all.ranks()[i]);
            fewer |= limited.ranks()[i] < all.ranks()[i];
        }
        assertTrue(fewer, "leaving ids out lowers some rank");
    }
}
