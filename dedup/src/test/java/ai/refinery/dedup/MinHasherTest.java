package ai.refinery.dedup;

import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MinHasherTest {
    private static final BigInteger P = BigInteger.valueOf(MinHasher.MERSENNE_61);

    @Test
    void mersenneArithmeticMatchesBigInteger() {
        SplittableRandom random = new SplittableRandom(7);
        long[] edge = {0, 1, 2, MinHasher.MERSENNE_61 - 1, MinHasher.MERSENNE_61 - 2, 1L << 60, (1L << 60) + 12345};
        for (long x : edge) {
            for (long y : edge) {
                for (long c : edge) {
                    checkMul(x, y, c);
                }
            }
        }
        for (int i = 0; i < 100_000; i++) {
            checkMul(Math.floorMod(random.nextLong(), MinHasher.MERSENNE_61), Math.floorMod(random.nextLong(), MinHasher.MERSENNE_61),
                    Math.floorMod(random.nextLong(), MinHasher.MERSENNE_61));
            long any = random.nextLong();
            assertEquals(new BigInteger(Long.toUnsignedString(any)).mod(P).longValueExact(), MinHasher.reduce(any));
        }
        assertEquals(0, MinHasher.reduce(-1L) == MinHasher.reduce(0xFFFFFFFFFFFFFFFFL) ? 0 : 1);
        assertEquals(0, MinHasher.reduce(MinHasher.MERSENNE_61));
    }

    private static void checkMul(long x, long y, long c) {
        BigInteger product = BigInteger.valueOf(x).multiply(BigInteger.valueOf(y));
        assertEquals(product.mod(P).longValueExact(), MinHasher.mulMod(x, y), x + " * " + y);
        assertEquals(product.add(BigInteger.valueOf(c)).mod(P).longValueExact(), MinHasher.mulAddMod(x, y, c),
                x + " * " + y + " + " + c);
    }

    @Test
    void signaturesAreDeterministicAndSeeded() {
        long[] shingles = new Shingler(ShingleType.WORD, 5).shingles(TextNormalizer.normalize(
                "The quick brown fox jumps over the lazy dog while the cat watches from the old stone wall"));
        MinHasher one = new MinHasher(14, 8, 1);
        long[] sig = one.signature(shingles);
        assertEquals(112, sig.length);
        assertArrayEquals(sig, new MinHasher(14, 8, 1).signature(shingles));
        // Shingle order does not matter.
        long[] reversed = shingles.clone();
        for (int i = 0; i < reversed.length / 2; i++) {
            long t = reversed[i];
            reversed[i] = reversed[reversed.length - 1 - i];
            reversed[reversed.length - 1 - i] = t;
        }
        assertArrayEquals(sig, one.signature(reversed));
        assertFalse(java.util.Arrays.equals(sig, new MinHasher(14, 8, 2).signature(shingles)));
        for (long v : sig) {
            assertTrue(v >= 0 && v < MinHasher.MERSENNE_61);
        }
        assertEquals(0, one.signature(new long[0]).length);
        assertEquals(0, one.bandKeys(new long[0]).length);
    }

    @Test
    void estimateErrorOnKnownPairsIsWithinSamplingError() {
        // Sets with known Jaccard: |A| = |B| = 1000 - common/2 ... built from disjoint ranges of integers.
        MinHasher hasher = new MinHasher(14, 8, 1);
        SplittableRandom random = new SplittableRandom(11);
        double sumSquaredError = 0;
        int pairs = 0;
        for (double target : new double[] {0.2, 0.5, 0.7, 0.8, 0.9, 0.95}) {
            for (int trial = 0; trial < 30; trial++) {
                int union = 1000;
                int common = (int) Math.round(target * union);
                int onlyA = (union - common) / 2;
                int onlyB = union - common - onlyA;
                long[] a = new long[common + onlyA];
                long[] b = new long[common + onlyB];
                int ia = 0;
                int ib = 0;
                for (int i = 0; i < common; i++) {
                    long v = random.nextLong();
                    a[ia++] = v;
                    b[ib++] = v;
                }
                for (int i = 0; i < onlyA; i++) {
                    a[ia++] = random.nextLong();
                }
                for (int i = 0; i < onlyB; i++) {
                    b[ib++] = random.nextLong();
                }
                double exact = (double) common / union;
                double estimate = MinHasher.estimate(hasher.signature(a), hasher.signature(b));
                double sd = Math.sqrt(exact * (1 - exact) / 112);
                // A single pair: within 4 standard errors.
                assertTrue(Math.abs(estimate - exact) <= 4 * sd + 1e-9, "J=" + exact + " estimate " + estimate);
                sumSquaredError += (estimate - exact) * (estimate - exact) / (exact * (1 - exact) / 112);
                pairs++;
            }
        }
        // Across all pairs the squared error normalised by the binomial variance averages ~1 (unbiased, right spread).
        double meanNormalised = sumSquaredError / pairs;
        assertTrue(meanNormalised > 0.6 && meanNormalised < 1.5, "normalised MSE " + meanNormalised);
    }

    @Test
    void bandsCollideExactlyWhenTheirRowsAgree() {
        MinHasher hasher = new MinHasher(4, 3, 5);
        long[] sig = new long[12];
        for (int i = 0; i < 12; i++) {
            sig[i] = 1000 + i;
        }
        long[] other = sig.clone();
        other[4] = 7; // inside band 1
        long[] k1 = hasher.bandKeys(sig);
        long[] k2 = hasher.bandKeys(other);
        assertEquals(4, k1.length);
        assertEquals(k1[0], k2[0]);
        assertFalse(k1[1] == k2[1]);
        assertEquals(k1[2], k2[2]);
        assertEquals(k1[3], k2[3]);
        // The same rows in another band give another key: bands are salted with their index.
        long[] same = new long[12];
        java.util.Arrays.fill(same, 42);
        long[] ks = hasher.bandKeys(same);
        assertFalse(ks[0] == ks[1]);
    }

    @Test
    void collisionProbabilityMatchesThePublishedFigures() {
        assertEquals(0.56, MinHasher.collisionProbability(0.70, 14, 8), 0.005);
        assertEquals(0.77, MinHasher.collisionProbability(0.75, 14, 8), 0.005);
        assertEquals(0.92, MinHasher.collisionProbability(0.80, 14, 8), 0.005);
        assertEquals(0.988, MinHasher.collisionProbability(0.85, 14, 8), 0.0015);
    }
}
