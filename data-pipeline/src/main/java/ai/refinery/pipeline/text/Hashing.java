package ai.refinery.pipeline.text;

/**
 * 64-bit hashes of text regions, so lines, paragraphs and n-grams can be counted without building a String
 * for each. FNV-1a over the UTF-16 units (two interleaved lanes) followed by the MurmurHash3 finaliser, which
 * spreads FNV's weak low bits. At 64 bits a false match between two different regions of one document is about n^2 / 2^65 likely
 * (below 1e-9 for 100,000 regions), far below any effect on a threshold.
 */
public final class Hashing {
    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private static final long SECOND_LANE = 0x632BE59BD9B4E019L;

    private Hashing() {
    }

    public static long hash(CharSequence text, int start, int end) {
        // Two FNV lanes over the even and the odd positions halve the chain of dependent multiplications.
        long even = FNV_OFFSET;
        long odd = FNV_OFFSET ^ SECOND_LANE;
        int i = start;
        for (; i + 1 < end; i += 2) {
            even = (even ^ text.charAt(i)) * FNV_PRIME;
            odd = (odd ^ text.charAt(i + 1)) * FNV_PRIME;
        }
        if (i < end) {
            even = (even ^ text.charAt(i)) * FNV_PRIME;
        }
        return finish(even, odd, end - start);
    }

    /** The hash of the lower-cased region: hashLower("The") == hash("the"). */
    public static long hashLower(CharSequence text, int start, int end) {
        long even = FNV_OFFSET;
        long odd = FNV_OFFSET ^ SECOND_LANE;
        int i = start;
        for (; i + 1 < end; i += 2) {
            even = (even ^ Chars.toLowerCase(text.charAt(i))) * FNV_PRIME;
            odd = (odd ^ Chars.toLowerCase(text.charAt(i + 1))) * FNV_PRIME;
        }
        if (i < end) {
            even = (even ^ Chars.toLowerCase(text.charAt(i))) * FNV_PRIME;
        }
        return finish(even, odd, end - start);
    }

    private static long finish(long even, long odd, int length) {
        return mix(even ^ mix(odd + length));
    }

    public static long hash(CharSequence text) {
        return hash(text, 0, text.length());
    }

    public static long hashLower(CharSequence text) {
        return hashLower(text, 0, text.length());
    }

    /**
     * Order-sensitive combination of a sequence hash with the hash of its next element: the hash of the
     * n-gram (w1..wn) is combine(hash of (w1..wn-1), hash(wn)), starting from the hash of w1.
     */
    public static long combine(long sequence, long next) {
        return mix(sequence * GOLDEN + next);
    }

    /** MurmurHash3 fmix64. */
    public static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
