package ai.refinery.rephrasing;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FeistelPermutationTest {

    @Test
    void isABijectionForAwkwardSizes() {
        for (long size : new long[]{1, 2, 3, 7, 16, 17, 1000, 4097, 100_003}) {
            FeistelPermutation p = new FeistelPermutation(size, 99);
            boolean[] seen = new boolean[(int) size];
            for (long x = 0; x < size; x++) {
                long y = p.apply(x);
                assertTrue(y >= 0 && y < size, "out of range for size " + size);
                assertTrue(!seen[(int) y], "collision for size " + size);
                seen[(int) y] = true;
            }
        }
    }

    @Test
    void dependsOnTheSeedAndIsDeterministic() {
        FeistelPermutation a = new FeistelPermutation(160_000_000L, 1);
        FeistelPermutation b = new FeistelPermutation(160_000_000L, 1);
        FeistelPermutation c = new FeistelPermutation(160_000_000L, 2);
        int differ = 0;
        for (long x = 0; x < 1000; x++) {
            assertEquals(a.apply(x), b.apply(x));
            if (a.apply(x) != c.apply(x)) {
                differ++;
            }
        }
        assertTrue(differ > 990);
        // Not the identity or a shift: consecutive inputs land far apart.
        assertNotEquals(a.apply(1) - a.apply(0), a.apply(2) - a.apply(1));
    }

    @Test
    void rejectsOutOfRangeInput() {
        FeistelPermutation p = new FeistelPermutation(10, 0);
        assertThrows(IllegalArgumentException.class, () -> p.apply(10));
        assertThrows(IllegalArgumentException.class, () -> p.apply(-1));
    }
}
