package ai.refinery.dedup;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Output of {@link DedupJob#run}. {@code kept} holds the input columns plus {@code cluster_size} (int: how many
 * input rows, or the sum of their own cluster_size when the input has one, this row stands for);
 * {@code removed} holds the input columns plus {@code reason} ("exact-duplicate" or "near-duplicate") and
 * {@code duplicate_of} (the id of the kept row of its cluster). Both are lazy joins of the input with a
 * stored per-id decision table, so writing them reads the input again but recomputes no dedup work.
 * Call {@link #release()} once both are written.
 */
public final class DedupResult {
    private final Dataset<Row> kept;
    private final Dataset<Row> removed;
    private final DedupCounters counters;
    private final Runnable release;
    private final IndexCounters indexCounters;
    private final Dataset<Row> survivorSignatures;

    DedupResult(Dataset<Row> kept, Dataset<Row> removed, DedupCounters counters, Runnable release) {
        this(kept, removed, counters, release, null, null);
    }

    DedupResult(Dataset<Row> kept, Dataset<Row> removed, DedupCounters counters, Runnable release,
                IndexCounters indexCounters, Dataset<Row> survivorSignatures) {
        this.kept = kept;
        this.removed = removed;
        this.counters = counters;
        this.release = release;
        this.indexCounters = indexCounters;
        this.survivorSignatures = survivorSignatures;
    }

    /** Counts against the signature index; null for a run without one. */
    public IndexCounters indexCounters() {
        return indexCounters;
    }

    /**
     * Index rows ({@link SignatureIndex#SCHEMA}) of the kept documents, stored, for
     * {@link SignatureIndex#stage}; null for a run without an index.
     */
    public Dataset<Row> survivorSignatures() {
        return survivorSignatures;
    }

    public Dataset<Row> kept() {
        return kept;
    }

    public Dataset<Row> removed() {
        return removed;
    }

    public DedupCounters counters() {
        return counters;
    }

    /** Frees the stored decisions and index rows. */
    public void release() {
        release.run();
    }
}
