package ai.refinery.pipeline.text;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CountingTest {

    @Test
    void longCounterCountsAndGrows() {
        LongCounter counter = new LongCounter(2);
        for (long k = -500; k < 500; k++) {
            assertEquals(1, counter.add(k * 7919));
        }
        assertEquals(2, counter.add(0));
        assertEquals(3, counter.add(0));
        assertEquals(2, counter.add(-500 * 7919));
        assertEquals(1000, counter.size());
        assertEquals(3, counter.get(0));
        assertEquals(0, counter.get(1));
    }

    @Test
    void wordSetIsCaseInsensitiveOverRegions() {
        WordSet set = WordSet.of(List.of("The", "and", "and"));
        assertEquals(2, set.size());
        String text = "xTHEy AND";
        assertTrue(set.contains(text, 1, 4));
        assertTrue(set.contains(text, 6, 9));
        assertFalse(set.contains(text, 0, 4));
        assertTrue(set.contains("the"));
    }

    @Test
    void hashesDependOnOrderAndCase() {
        long a = Hashing.hash("a");
        long b = Hashing.hash("b");
        assertFalse(Hashing.combine(a, b) == Hashing.combine(b, a));
        assertFalse(Hashing.hash("The") == Hashing.hash("the"));
        assertEquals(Hashing.hashLower("The"), Hashing.hash("the"));
        assertEquals(Hashing.hash("xx the yy", 3, 6), Hashing.hash("the"));
    }

    @Test
    void phraseMatcherFindsAnyPhraseInOnePass() {
        PhraseMatcher m = PhraseMatcher.of(List.of("Privacy Policy", "use cookies", "", "\u00E9t\u00E9"));
        String line = "Read our PRIVACY policy and how we Use Cookies";
        assertEquals("privacy policy", m.find(line, 0, line.length()));
        assertEquals("use cookies", m.find(line, 20, line.length()));
        assertNull(m.find(line, 0, 20));
        assertEquals("\u00E9t\u00E9", m.find("un \u00C9T\u00C9 chaud", 0, 12));
        assertTrue(PhraseMatcher.of(List.of()).isEmpty());
        assertNull(PhraseMatcher.of(List.of()).find(line, 0, line.length()));
    }
}
