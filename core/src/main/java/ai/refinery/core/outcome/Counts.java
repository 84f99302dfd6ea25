package ai.refinery.core.outcome;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The counts every stage reports, under the same keys in every stats.json and manifest.json, so a scheduler reads
 * one key across stages:
 * <ul>
 *   <li>{@code rows_in}: rows the stage read from its input (0 for a generator such as bios);</li>
 *   <li>{@code rows_out}: rows it wrote to {@code data/};</li>
 *   <li>{@code rows_rejected}: rows it wrote to {@code rejected/}, the sum of</li>
 *   <li>{@code rejected}: {@code {stage: {reason: rows}}}, sorted.</li>
 * </ul>
 * Where a stage keeps or drops each input row ({@link #closes()}: filter, dedup, generate) the accounting closes:
 * {@code rows_in = rows_out + rows_rejected}. A stage that expands a row into several (rephrase with
 * {@code multi > 1}, QA conversion, packing into windows) or writes no rows (tokenizer) does not close by design.
 * Plain Java, immutable.
 */
public final class Counts {
    public static final String ROWS_IN = "rows_in";
    public static final String ROWS_OUT = "rows_out";
    public static final String ROWS_REJECTED = "rows_rejected";
    public static final String REJECTED = "rejected";

    private final long rowsIn;
    private final long rowsOut;
    private final Map<String, Map<String, Long>> rejected;

    private Counts(long rowsIn, long rowsOut, Map<String, Map<String, Long>> rejected) {
        if (rowsIn < 0 || rowsOut < 0) {
            throw new IllegalArgumentException("negative count: in " + rowsIn + ", out " + rowsOut);
        }
        this.rowsIn = rowsIn;
        this.rowsOut = rowsOut;
        Map<String, Map<String, Long>> copy = new TreeMap<>();
        rejected.forEach((stage, reasons) -> {
            Map<String, Long> r = new TreeMap<>();
            reasons.forEach((reason, n) -> {
                if (n < 0) {
                    throw new IllegalArgumentException("negative count for " + stage + "/" + reason + ": " + n);
                }
                if (n > 0) {
                    r.put(reason, n);
                }
            });
            if (!r.isEmpty()) {
                copy.put(stage, r);
            }
        });
        this.rejected = copy;
    }

    /** A stage's counts: rows read, rows written to data/, and rejected/'s rows by stage and reason. */
    public static Counts of(long rowsIn, long rowsOut, Map<String, ? extends Map<String, Long>> rejectedByStageAndReason) {
        return new Counts(rowsIn, rowsOut, new TreeMap<>(rejectedByStageAndReason));
    }

    /** A stage that drops nothing. */
    public static Counts of(long rowsIn, long rowsOut) {
        return new Counts(rowsIn, rowsOut, Map.of());
    }

    public long rowsIn() {
        return rowsIn;
    }

    public long rowsOut() {
        return rowsOut;
    }

    public long rowsRejected() {
        long total = 0;
        for (Map<String, Long> reasons : rejected.values()) {
            for (long n : reasons.values()) {
                total += n;
            }
        }
        return total;
    }

    /** Rows rejected by one stage for one reason (0 when none). */
    public long rejected(String stage, String reason) {
        return rejected.getOrDefault(stage, Map.of()).getOrDefault(reason, 0L);
    }

    /** {stage: {reason: rows}}, sorted; unmodifiable. */
    public Map<String, Map<String, Long>> rejected() {
        return java.util.Collections.unmodifiableMap(rejected);
    }

    /** True when every row read is in data/ or rejected/: {@code rows_in = rows_out + rows_rejected}. */
    public boolean closes() {
        return rowsIn == rowsOut + rowsRejected();
    }

    /** The JSON-ready view: rows_in, rows_out, rows_rejected, rejected. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(ROWS_IN, rowsIn);
        m.put(ROWS_OUT, rowsOut);
        m.put(ROWS_REJECTED, rowsRejected());
        Map<String, Object> byStage = new LinkedHashMap<>();
        rejected.forEach((stage, reasons) -> byStage.put(stage, new LinkedHashMap<>(reasons)));
        m.put(REJECTED, byStage);
        return m;
    }

    /**
     * The counts with a stage's own figures beside them (stats.json, the manifest's counts).
     *
     * @throws IllegalArgumentException when a figure reuses one of the common keys
     */
    public Map<String, Object> with(Map<String, ?> figures) {
        Map<String, Object> m = toMap();
        figures.forEach((key, value) -> {
            if (m.containsKey(key)) {
                throw new IllegalArgumentException("a stage figure reuses the common key '" + key + "'");
            }
            m.put(key, value);
        });
        return m;
    }

    @Override
    public String toString() {
        return rowsIn + " rows in, " + rowsOut + " out, " + rowsRejected() + " rejected";
    }
}
