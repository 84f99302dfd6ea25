package ai.refinery.pipeline.text;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Collection;

/**
 * An immutable, case-insensitive set of words (or domain names) stored as sorted 64-bit hashes: membership of
 * a region of a text is tested without building a String, and a list of millions of entries costs 8 bytes
 * each and serialises as one array when Spark ships a filter to its executors.
 */
public final class WordSet implements Serializable {
    private static final long serialVersionUID = 1L;

    private final long[] hashes;

    private WordSet(long[] hashes) {
        this.hashes = hashes;
    }

    public static WordSet of(Collection<String> words) {
        long[] hashes = new long[words.size()];
        int n = 0;
        for (String word : words) {
            hashes[n++] = Hashing.hashLower(word);
        }
        return fromHashes(hashes, n);
    }

    /** Builds from hashes made with {@link Hashing#hashLower}; sorts and removes duplicates in place. */
    public static WordSet fromHashes(long[] hashes, int count) {
        long[] sorted = Arrays.copyOf(hashes, count);
        Arrays.sort(sorted);
        int unique = 0;
        for (int i = 0; i < sorted.length; i++) {
            if (i == 0 || sorted[i] != sorted[i - 1]) {
                sorted[unique++] = sorted[i];
            }
        }
        return new WordSet(Arrays.copyOf(sorted, unique));
    }

    public int size() {
        return hashes.length;
    }

    public boolean isEmpty() {
        return hashes.length == 0;
    }

    public boolean contains(CharSequence text, int start, int end) {
        return indexOf(Hashing.hashLower(text, start, end)) >= 0;
    }

    public boolean contains(CharSequence word) {
        return contains(word, 0, word.length());
    }

    /** The position of a {@link Hashing#hashLower} hash in [0, size()), or a negative number if absent. */
    public int indexOf(long lowerHash) {
        return Arrays.binarySearch(hashes, lowerHash);
    }
}
