package ai.refinery.bench;

import ai.refinery.dedup.Shingler;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The exact set of document pairs whose shingle sets have Jaccard similarity at least t, and pair-level scores of a
 * clustering against it.
 *
 * <p>{@link #find} is all-pairs similarity with prefix filtering (Chaudhuri, Ganti and Kaushik 2006; Bayardo, Ma
 * and Srikant 2007): with the elements of every set in one global order (here: the hash values themselves), two sets
 * x, y with J(x, y) >= t always share an element among the first |x| - ceil(t|x|) + 1 of x and the first
 * |y| - ceil(t|y|) + 1 of y. So only pairs sharing a prefix element are compared, and the result equals brute force
 * ({@link #bruteForce}, which the benchmark checks on a slice).
 */
final class TruthPairs {
    private final long[] pairs;
    private final int n;

    private TruthPairs(long[] pairs, int n) {
        this.pairs = pairs;
        this.n = n;
    }

    /** @param shingles sorted distinct shingle hashes per document */
    static TruthPairs find(long[][] shingles, double t) {
        int n = shingles.length;
        Map<Long, List<Integer>> index = new HashMap<>();
        int[] seenBy = new int[n];
        Arrays.fill(seenBy, -1);
        List<Long> found = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long[] x = shingles[i];
            if (x.length == 0) {
                continue;
            }
            int prefix = prefixLength(x.length, t);
            for (int k = 0; k < prefix; k++) {
                List<Integer> posting = index.computeIfAbsent(x[k], key -> new ArrayList<>(2));
                for (int j : posting) {
                    if (seenBy[j] != i) {
                        seenBy[j] = i;
                        if (Shingler.jaccard(shingles[j], x) >= t) {
                            found.add(key(j, i, n));
                        }
                    }
                }
                posting.add(i);
            }
        }
        return new TruthPairs(sorted(found), n);
    }

    static TruthPairs bruteForce(long[][] shingles, double t) {
        int n = shingles.length;
        List<Long> found = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                if (Shingler.jaccard(shingles[i], shingles[j]) >= t) {
                    found.add(key(i, j, n));
                }
            }
        }
        return new TruthPairs(sorted(found), n);
    }

    /** |x| - ceil(t|x|) + 1, guarded against t|x| landing a rounding error above an integer. */
    static int prefixLength(int size, double t) {
        return size - (int) Math.ceil(t * size - 1e-9) + 1;
    }

    private static long key(int i, int j, int n) {
        return (long) i * n + j;
    }

    private static long[] sorted(List<Long> values) {
        long[] a = values.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(a);
        return a;
    }

    int size() {
        return pairs.length;
    }

    /**
     * Pair-level precision, recall and F1 of a clustering: a pair counts as found when both documents are in one
     * cluster (so a chain of near-duplicates that groups two dissimilar documents costs precision).
     *
     * @param cluster cluster number of every document
     */
    double[] score(int[] cluster) {
        long together = 0;
        Map<Integer, Long> sizes = new HashMap<>();
        for (int c : cluster) {
            sizes.merge(c, 1L, Long::sum);
        }
        for (long s : sizes.values()) {
            together += s * (s - 1) / 2;
        }
        long truePositive = 0;
        for (long p : pairs) {
            if (cluster[(int) (p / n)] == cluster[(int) (p % n)]) {
                truePositive++;
            }
        }
        double precision = together == 0 ? 1.0 : (double) truePositive / together;
        double recall = pairs.length == 0 ? 1.0 : (double) truePositive / pairs.length;
        double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
        return new double[] {precision, recall, f1};
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TruthPairs other && other.n == n && Arrays.equals(other.pairs, pairs);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(pairs);
    }
}
