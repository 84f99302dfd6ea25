package ai.refinery.rephrasing;

/**
 * Stateless 64-bit hashing for deterministic draws. Every random choice in this module is a function of
 * (seed, person, purpose, ...) rather than a position in a shared random stream, so the output does not depend
 * on partitioning, on the order rows are processed, or on how many other draws were made.
 */
public final class Hashing {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private Hashing() {
    }

    /** The SplitMix64 finalizer: a bijection on longs with full avalanche. */
    public static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    public static long hash(long a, long b) {
        return mix64(mix64(a + GOLDEN) ^ b);
    }

    public static long hash(long a, long b, long c) {
        return mix64(hash(a, b) + GOLDEN ^ c);
    }

    public static long hash(long a, long b, long c, long d) {
        return mix64(hash(a, b, c) + GOLDEN ^ d);
    }

    public static long hash(long a, long b, long c, long d, long e) {
        return mix64(hash(a, b, c, d) + GOLDEN ^ e);
    }

    /** A 64-bit hash of a string (FNV-1a over its UTF-16 units, then mixed). */
    public static long hash(String s) {
        long h = 0xCBF29CE484222325L;
        for (int i = 0; i < s.length(); i++) {
            h ^= s.charAt(i);
            h *= 0x100000001B3L;
        }
        return mix64(h);
    }

    /** A value in [0, n) from a hash; the modulo bias is below n / 2^64, i.e. nil for the pools used here. */
    public static int below(long hash, int n) {
        if (n <= 0) {
            throw new IllegalArgumentException("n must be positive, got " + n);
        }
        return (int) Long.remainderUnsigned(hash, n);
    }

    /** A value in [0, 1) from a hash (53 bits). */
    public static double unit(long hash) {
        return (hash >>> 11) * 0x1.0p-53;
    }

    /** A short stream of draws from one starting hash (SplitMix64), for shuffles of a few elements. */
    static final class Stream {
        private long state;

        Stream(long start) {
            this.state = start;
        }

        long next() {
            state += GOLDEN;
            return mix64(state);
        }

        int below(int n) {
            return Hashing.below(next(), n);
        }
    }

    /** Fisher-Yates shuffle of the whole array, driven by a hash-seeded stream. */
    static void shuffle(int[] values, long start) {
        Stream stream = new Stream(start);
        for (int i = values.length - 1; i > 0; i--) {
            int j = stream.below(i + 1);
            int t = values[i];
            values[i] = values[j];
            values[j] = t;
        }
    }

    /** The identity 0..n-1 shuffled with a hash-seeded stream. */
    static int[] permutation(int n, long start) {
        int[] values = new int[n];
        for (int i = 0; i < n; i++) {
            values[i] = i;
        }
        shuffle(values, start);
        return values;
    }
}
