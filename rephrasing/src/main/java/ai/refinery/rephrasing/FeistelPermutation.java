package ai.refinery.rephrasing;

/**
 * A seeded bijection of [0, size): a balanced Feistel network over the smallest even power of two that
 * covers size, with cycle walking to stay inside the range. It lets person i get name number p(i) without
 * ever materialising or shuffling the 160 million name combinations, and two people never share a name.
 */
public final class FeistelPermutation {
    private static final int ROUNDS = 6;

    private final long size;
    private final long seed;
    private final int halfBits;
    private final long halfMask;

    public FeistelPermutation(long size, long seed) {
        if (size < 1) {
            throw new IllegalArgumentException("size must be positive, got " + size);
        }
        this.size = size;
        this.seed = seed;
        int bits = Math.max(2, 64 - Long.numberOfLeadingZeros(size - 1));
        if (bits % 2 == 1) {
            bits++;
        }
        if (bits > 62) {
            throw new IllegalArgumentException("size too large: " + size);
        }
        this.halfBits = bits / 2;
        this.halfMask = (1L << halfBits) - 1;
    }

    public long size() {
        return size;
    }

    /** The image of x, itself in [0, size). */
    public long apply(long x) {
        if (x < 0 || x >= size) {
            throw new IllegalArgumentException("x must be in [0, " + size + "), got " + x);
        }
        long y = x;
        do {
            y = encrypt(y);
        } while (y >= size);
        return y;
    }

    private long encrypt(long x) {
        long left = x >>> halfBits;
        long right = x & halfMask;
        for (int round = 0; round < ROUNDS; round++) {
            long next = left ^ (Hashing.hash(seed, round, right) & halfMask);
            left = right;
            right = next;
        }
        return (left << halfBits) | right;
    }
}
