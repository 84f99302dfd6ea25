package ai.refinery.training.tokenizer;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class BpeLearnerTest {
    // Symbols: a=0, b=1, c=2; merges get 10, 11, ...

    @Test
    void mergesTheMostFrequentPairAndUpdatesCountsIncrementally() {
        // "ab" x5, "abc" x3, "bc" x1: (a,b)=8, (b,c)=4 -> X=(a,b); then (X,c)=3, (b,c)=1 -> (X,c); then only
        // (b,c)=1 remains, below the minimum of 2.
        int[][] words = {{0, 1}, {0, 1, 2}, {1, 2}};
        List<int[]> merges = BpeLearner.learn(words, new long[] {5, 3, 1}, 10, 2, 10);
        assertEquals(2, merges.size());
        assertArrayEquals(new int[] {0, 1}, merges.get(0));
        assertArrayEquals(new int[] {10, 2}, merges.get(1));
        assertArrayEquals(new int[] {11}, words[1]);
        // With minimum 1 the last pair is merged too.
        List<int[]> all = BpeLearner.learn(new int[][] {{0, 1}, {0, 1, 2}, {1, 2}}, new long[] {5, 3, 1}, 10, 1, 10);
        assertEquals(3, all.size());
        assertArrayEquals(new int[] {1, 2}, all.get(2));
    }

    @Test
    void tiesGoToTheSmallerPairWhateverTheWordOrder() {
        List<int[]> one = BpeLearner.learn(new int[][] {{2, 1}, {0, 1}}, new long[] {4, 4}, 1, 1, 10);
        List<int[]> two = BpeLearner.learn(new int[][] {{0, 1}, {2, 1}}, new long[] {4, 4}, 1, 1, 10);
        assertArrayEquals(new int[] {0, 1}, one.get(0));
        assertArrayEquals(new int[] {0, 1}, two.get(0));
    }

    @Test
    void overlappingPairsAreCountedOncePerMerge() {
        // "aaaa" x1: (a,a) occurs 3 times; merging left to right gives XX, then (X,X) counts 1.
        int[][] words = {{0, 0, 0, 0}};
        List<int[]> merges = BpeLearner.learn(words, new long[] {1}, 5, 1, 10);
        assertEquals(2, merges.size());
        assertArrayEquals(new int[] {10, 10}, merges.get(1));
        assertArrayEquals(new int[] {11}, words[0]);
        // "aaa": X a, then (X,a).
        assertArrayEquals(new int[] {10, 0}, BpeLearner.mergeWord(new int[] {0, 0, 0}, 0, 0, 10));
        assertNull(BpeLearner.mergeWord(new int[] {0, 1}, 1, 0, 10));
    }
}
