package ai.refinery.dedup;

import net.jpountz.xxhash.XXHash64;

import java.io.Serializable;

/**
 * MinHash signatures and LSH band keys. Permutation i maps a shingle hash x to (a_i * x + b_i) mod p with
 * p = 2^61 - 1 (a Mersenne prime, so the reduction is shifts and adds); a_i in [1, p) and b_i in [0, p)
 * come from a SplitMix64 stream started at the seed, so signatures are identical in every run, JVM and
 * partition. The signature is bands * rows minimum values; band j's key is the xxHash64 of its rows.
 * Two documents with Jaccard similarity s share at least one band key with probability
 * 1 - (1 - s^rows)^bands.
 */
public final class MinHasher implements Serializable {
    private static final long serialVersionUID = 1L;
    public static final long MERSENNE_61 = (1L << 61) - 1;

    private final int bands;
    private final int rows;
    private final long seed;
    private final long[] a;
    private final long[] b;

    public MinHasher(int bands, int rows, long seed) {
        if (bands < 1 || rows < 1) {
            throw new IllegalArgumentException("bands and rows must be at least 1, got " + bands + " x " + rows);
        }
        this.bands = bands;
        this.rows = rows;
        this.seed = seed;
        int k = bands * rows;
        this.a = new long[k];
        this.b = new long[k];
        long state = seed;
        for (int i = 0; i < k; i++) {
            long ai;
            do {
                state += 0x9E3779B97F4A7C15L;
                ai = mix(state) & MERSENNE_61;
            } while (ai == 0 || ai == MERSENNE_61);
            state += 0x9E3779B97F4A7C15L;
            long bi = mix(state) & MERSENNE_61;
            a[i] = ai;
            b[i] = bi == MERSENNE_61 ? 0 : bi;
        }
    }

    public int bands() {
        return bands;
    }

    public int rows() {
        return rows;
    }

    public long seed() {
        return seed;
    }

    public int permutations() {
        return a.length;
    }

    /**
     * @param shingles shingle hashes (any order, duplicates allowed)
     * @return bands * rows minimum values, each in [0, 2^61 - 1); an empty array for no shingles
     */
    public long[] signature(long[] shingles) {
        if (shingles.length == 0) {
            return new long[0];
        }
        long[] x = new long[shingles.length];
        for (int j = 0; j < x.length; j++) {
            x[j] = reduce(shingles[j]);
        }
        // Permutation-major: a_i, b_i and the running minimum stay in registers (about 4x faster than shingle-major).
        long[] sig = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            long ai = a[i];
            long bi = b[i];
            long min = Long.MAX_VALUE;
            for (long xj : x) {
                min = Math.min(min, mulAddMod(ai, xj, bi));
            }
            sig[i] = min;
        }
        return sig;
    }

    /** (x * y + c) mod p for x, y, c in [0, p), with one fold after the sum. */
    static long mulAddMod(long x, long y, long c) {
        long hi = Math.multiplyHigh(x, y);
        long lo = x * y;
        // Three terms below 2^61 each: the sum is below 2^63, and one fold leaves it below 2p.
        long r = (lo & MERSENNE_61) + ((lo >>> 61) | (hi << 3)) + c;
        r = (r & MERSENNE_61) + (r >>> 61);
        return r >= MERSENNE_61 ? r - MERSENNE_61 : r;
    }

    /** Band keys of a signature: one 64-bit hash of each band's rows, salted with the band index. */
    public long[] bandKeys(long[] signature) {
        if (signature.length == 0) {
            return new long[0];
        }
        if (signature.length != a.length) {
            throw new IllegalArgumentException("signature has " + signature.length + " values, expected " + a.length);
        }
        XXHash64 xx = Shingler.hasher();
        byte[] buf = new byte[rows * 8];
        long[] keys = new long[bands];
        for (int band = 0; band < bands; band++) {
            for (int r = 0; r < rows; r++) {
                long v = signature[band * rows + r];
                int o = r * 8;
                for (int byteIndex = 0; byteIndex < 8; byteIndex++) {
                    buf[o + byteIndex] = (byte) (v >>> (8 * byteIndex));
                }
            }
            keys[band] = xx.hash(buf, 0, buf.length, band);
        }
        return keys;
    }

    /** Share of equal positions: the MinHash estimate of the Jaccard similarity. */
    public static double estimate(long[] sigA, long[] sigB) {
        if (sigA.length == 0 || sigB.length == 0 || sigA.length != sigB.length) {
            return 0.0;
        }
        int equal = 0;
        for (int i = 0; i < sigA.length; i++) {
            if (sigA[i] == sigB[i]) {
                equal++;
            }
        }
        return (double) equal / sigA.length;
    }

    /** Probability that two sets of Jaccard similarity s share at least one band: 1 - (1 - s^r)^b. */
    public static double collisionProbability(double s, int bands, int rows) {
        return 1.0 - Math.pow(1.0 - Math.pow(s, rows), bands);
    }

    /** x mod p for any 64-bit x read as unsigned. */
    static long reduce(long x) {
        long r = (x & MERSENNE_61) + (x >>> 61);
        return r >= MERSENNE_61 ? r - MERSENNE_61 : r;
    }

    /** (x * y) mod p for x, y in [0, p): the 122-bit product folded with 2^61 = 1 (mod p). */
    static long mulMod(long x, long y) {
        long hi = Math.multiplyHigh(x, y);
        long lo = x * y;
        long r = (lo & MERSENNE_61) + ((lo >>> 61) | (hi << 3));
        r = (r & MERSENNE_61) + (r >>> 61);
        return r >= MERSENNE_61 ? r - MERSENNE_61 : r;
    }

    /** SplitMix64's finaliser (Steele, Lea and Flood 2014): a fixed, well-mixed stream from the seed. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
