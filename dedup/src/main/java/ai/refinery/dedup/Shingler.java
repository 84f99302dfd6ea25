package ai.refinery.dedup;

import net.jpountz.xxhash.XXHash64;
import net.jpountz.xxhash.XXHashFactory;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Turns normalised text into the set of its shingles, each represented by a 64-bit xxHash of its UTF-8
 * bytes. A shingle is n consecutive words (or characters) of the normalised text, joined by the single
 * spaces normalisation leaves between words, so it is hashed straight out of the text's byte array
 * without building a string per shingle.
 *
 * <p>A text shorter than n units is one shingle made of the whole text (so short documents can still
 * match their copies); an empty text has no shingles and takes no part in near-duplicate detection.
 */
public final class Shingler implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Fixed seed: shingle hashes must be the same in every run and on every machine. */
    static final long SHINGLE_SEED = 0x5DEECE66DL;
    private static final long[] NONE = new long[0];

    private final ShingleType type;
    private final int size;

    public Shingler(ShingleType type, int size) {
        if (size < 1) {
            throw new IllegalArgumentException("shingle size must be at least 1, got " + size);
        }
        this.type = type;
        this.size = size;
    }

    public ShingleType type() {
        return type;
    }

    public int size() {
        return size;
    }

    /** @param normalized output of {@link TextNormalizer#normalize} */
    public long[] shingles(String normalized) {
        if (normalized == null || normalized.isEmpty()) {
            return NONE;
        }
        byte[] bytes = normalized.getBytes(StandardCharsets.UTF_8);
        int[] starts;
        int[] ends;
        if (type == ShingleType.WORD) {
            int words = 1;
            for (byte b : bytes) {
                if (b == ' ') {
                    words++;
                }
            }
            starts = new int[words];
            ends = new int[words];
            int w = 0;
            starts[0] = 0;
            for (int i = 0; i < bytes.length; i++) {
                if (bytes[i] == ' ') {
                    ends[w] = i;
                    starts[++w] = i + 1;
                }
            }
            ends[w] = bytes.length;
        } else {
            // One unit per code point: UTF-8 continuation bytes (10xxxxxx) never start one.
            int units = 0;
            for (byte b : bytes) {
                if ((b & 0xC0) != 0x80) {
                    units++;
                }
            }
            starts = new int[units];
            ends = new int[units];
            int u = 0;
            for (int i = 0; i < bytes.length; i++) {
                if ((bytes[i] & 0xC0) != 0x80) {
                    if (u > 0) {
                        ends[u - 1] = i;
                    }
                    starts[u++] = i;
                }
            }
            ends[units - 1] = bytes.length;
        }
        return hashWindows(bytes, starts, ends);
    }

    private long[] hashWindows(byte[] bytes, int[] starts, int[] ends) {
        XXHash64 xx = hasher();
        int units = starts.length;
        if (units <= size) {
            return new long[] {xx.hash(bytes, 0, bytes.length, SHINGLE_SEED)};
        }
        int count = units - size + 1;
        long[] hashes = new long[count];
        for (int i = 0; i < count; i++) {
            int from = starts[i];
            int to = ends[i + size - 1];
            hashes[i] = xx.hash(bytes, from, to - from, SHINGLE_SEED);
        }
        return sortedDistinct(hashes);
    }

    static long[] sortedDistinct(long[] values) {
        if (values.length < 2) {
            return values;
        }
        Arrays.sort(values);
        int w = 1;
        for (int i = 1; i < values.length; i++) {
            if (values[i] != values[w - 1]) {
                values[w++] = values[i];
            }
        }
        return w == values.length ? values : Arrays.copyOf(values, w);
    }

    /** A Java (not JNI) xxHash64: the same bits everywhere, no native library to load on executors. */
    static XXHash64 hasher() {
        return XXHashFactory.fastestJavaInstance().hash64();
    }

    /** Exact Jaccard similarity of two shingle sets given as sorted distinct arrays. */
    public static double jaccard(long[] a, long[] b) {
        if (a.length == 0 && b.length == 0) {
            return 0.0; // empty texts are never near-duplicates
        }
        int i = 0;
        int j = 0;
        int common = 0;
        while (i < a.length && j < b.length) {
            if (a[i] < b[j]) {
                i++;
            } else if (a[i] > b[j]) {
                j++;
            } else {
                common++;
                i++;
                j++;
            }
        }
        return (double) common / (a.length + b.length - common);
    }
}
