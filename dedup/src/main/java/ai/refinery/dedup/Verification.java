package ai.refinery.dedup;

import java.util.Locale;

/** How a candidate pair from LSH is checked against the similarity threshold before it links two documents. */
public enum Verification {
    /** No check: every pair that shares a band is linked (the FineWeb setting). */
    OFF,
    /** Share of equal MinHash values (cheap; standard error ~sqrt(s(1-s)/permutations)). */
    ESTIMATED,
    /** Jaccard similarity of the two shingle sets (exact; keeps each candidate's shingle hashes in memory/disk). */
    EXACT;

    public static Verification parse(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
