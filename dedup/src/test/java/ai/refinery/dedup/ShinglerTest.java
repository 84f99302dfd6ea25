package ai.refinery.dedup;

import net.jpountz.xxhash.XXHash64;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class ShinglerTest {
    private static long h(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        XXHash64 xx = Shingler.hasher();
        return xx.hash(b, 0, b.length, Shingler.SHINGLE_SEED);
    }

    private static long[] sorted(long... v) {
        long[] c = v.clone();
        Arrays.sort(c);
        return c;
    }

    @Test
    void wordShinglesAreTheSlidingWindowsOfTheText() {
        Shingler s = new Shingler(ShingleType.WORD, 3);
        assertArrayEquals(sorted(h("a b c"), h("b c d"), h("c d e")), s.shingles("a b c d e"));
    }

    @Test
    void repeatedShinglesCountOnce() {
        Shingler s = new Shingler(ShingleType.WORD, 2);
        // "a b" occurs twice.
        assertArrayEquals(sorted(h("a b"), h("b a")), s.shingles("a b a b"));
    }

    @Test
    void textShorterThanTheShingleIsOneShingle() {
        Shingler s = new Shingler(ShingleType.WORD, 5);
        assertArrayEquals(new long[] {h("hello world")}, s.shingles("hello world"));
        // Exactly n words: one window, the same as the whole text.
        assertArrayEquals(new long[] {h("a b c d e")}, s.shingles("a b c d e"));
        assertEquals(2, s.shingles("a b c d e f").length);
    }

    @Test
    void emptyTextHasNoShingles() {
        assertEquals(0, new Shingler(ShingleType.WORD, 5).shingles("").length);
        assertEquals(0, new Shingler(ShingleType.CHAR, 5).shingles("").length);
    }

    @Test
    void characterShinglesCountCodePointsNotBytes() {
        Shingler s = new Shingler(ShingleType.CHAR, 3);
        assertArrayEquals(sorted(h("été"), h("té "), h("é e"), h(" et")), s.shingles("été et"));
        // Supplementary-plane characters are one unit each.
        assertArrayEquals(sorted(h("𝒜𝒜b")), s.shingles("𝒜𝒜b"));
        assertArrayEquals(new long[] {h("ab")}, s.shingles("ab"));
    }

    @Test
    void exactJaccardOfSortedSets() {
        assertEquals(2.0 / 5, Shingler.jaccard(new long[] {1, 2, 3}, new long[] {2, 3, 4, 1 << 20}), 1e-12);
        assertEquals(1.0, Shingler.jaccard(new long[] {-5, 7}, new long[] {-5, 7}), 1e-12);
        assertEquals(0.0, Shingler.jaccard(new long[] {1}, new long[] {2}), 1e-12);
        assertEquals(0.0, Shingler.jaccard(new long[0], new long[0]), 1e-12);
    }
}
