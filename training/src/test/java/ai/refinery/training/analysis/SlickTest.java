package ai.refinery.training.analysis;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The SliCK category rule, answer matching, the few-shot prompts and the token-shift categories. */
class SlickTest {

    /** Counts from per-answer correctness patterns: greedy[k] and sampled[k][s]. */
    private static String categoryOf(boolean[] greedy, boolean[][] sampled) {
        int g = 0;
        int s = 0;
        for (int k = 0; k < greedy.length; k++) {
            g += greedy[k] ? 1 : 0;
            for (boolean b : sampled[k]) {
                s += b ? 1 : 0;
            }
        }
        return Slick.category(g, greedy.length, s);
    }

    @Test
    void everyCategoryFromItsCorrectnessPattern() {
        boolean[][] noSamples = new boolean[4][16];
        boolean[][] oneSample = new boolean[4][16];
        oneSample[2][7] = true;
        boolean[][] allSamples = new boolean[4][16];
        for (boolean[] a : allSamples) {
            java.util.Arrays.fill(a, true);
        }
        // Greedy right for every prompt, whatever the samples.
        assertEquals(Slick.HIGHLY_KNOWN, categoryOf(new boolean[] {true, true, true, true}, noSamples));
        assertEquals(Slick.HIGHLY_KNOWN, categoryOf(new boolean[] {true, true, true, true}, allSamples));
        // Greedy right for some prompts only.
        assertEquals(Slick.MAYBE_KNOWN, categoryOf(new boolean[] {false, true, false, false}, noSamples));
        assertEquals(Slick.MAYBE_KNOWN, categoryOf(new boolean[] {true, true, true, false}, allSamples));
        // Greedy never right, one sample right.
        assertEquals(Slick.WEAKLY_KNOWN, categoryOf(new boolean[] {false, false, false, false}, oneSample));
        assertEquals(Slick.WEAKLY_KNOWN, categoryOf(new boolean[] {false, false, false, false}, allSamples));
        // Never right.
        assertEquals(Slick.UNKNOWN, categoryOf(new boolean[] {false, false, false, false}, noSamples));
        assertThrows(IllegalArgumentException.class, () -> Slick.category(5, 4, 0));
        assertThrows(IllegalArgumentException.class, () -> Slick.category(0, 0, 0));
    }

    @Test
    void exactMatchIsOnNormalisedAnswers() {
        assertTrue(Slick.matches("  The  Eiffel Tower.", "eiffel tower"));
        assertTrue(Slick.matches("Paris!", "paris"));
        assertTrue(Slick.matches("Ｐａｒｉｓ", "Paris"));
        assertFalse(Slick.matches("Paris, France", "Paris"));
        assertFalse(Slick.matches(null, "Paris"));
        assertEquals("1 march 1990", Slick.normalize("1 March, 1990"));
        assertEquals("there", KnowledgePrompts.answer(" there\nQ: next"));
    }

    @Test
    void promptsDrawOtherRowsDeterministicallyForASeed() {
        List<KnowledgePrompts.Qa> pool = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            pool.add(new KnowledgePrompts.Qa("r" + i, "question " + i + "?", "answer " + i));
        }
        KnowledgePrompts p = new KnowledgePrompts(pool, 4, 7);
        KnowledgePrompts.Qa row = pool.get(3);
        List<String> a = p.prompts(row, 10);
        assertEquals(a, new KnowledgePrompts(pool, 4, 7).prompts(row, 10));
        assertNotEquals(a, new KnowledgePrompts(pool, 4, 8).prompts(row, 10));
        assertEquals(10, a.size());
        Set<String> distinct = new HashSet<>(a);
        assertTrue(distinct.size() > 5, "the K prompts draw different exemplars");
        for (String prompt : a) {
            assertTrue(prompt.endsWith("Q: question 3?\nA:"), prompt);
            assertEquals(5, prompt.split("Q: ", -1).length - 1, "four exemplars and the question");
            // The row's own answer is never an exemplar.
            assertFalse(prompt.contains("answer 3"), prompt);
        }
        assertTrue(p.enough("r3"));
        assertFalse(new KnowledgePrompts(pool.subList(0, 4), 4, 7).enough("r3"));
    }

    @Test
    void tokenShiftCategoriesAndPositionBuckets() {
        assertEquals(TokenShift.UNSHIFTED, TokenShift.category(1, 3));
        assertEquals(TokenShift.MARGINAL, TokenShift.category(2, 3));
        assertEquals(TokenShift.MARGINAL, TokenShift.category(3, 3));
        assertEquals(TokenShift.SHIFTED, TokenShift.category(4, 3));
        List<Integer> b = List.of(0, 1, 2, 4, 8);
        assertEquals("0", TokenShift.bucket(0, b));
        assertEquals("1", TokenShift.bucket(1, b));
        assertEquals("2-3", TokenShift.bucket(3, b));
        assertEquals("4-7", TokenShift.bucket(4, b));
        assertEquals("8+", TokenShift.bucket(100, b));
    }
}
