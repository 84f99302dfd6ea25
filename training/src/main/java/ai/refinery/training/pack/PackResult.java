package ai.refinery.training.pack;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import static org.apache.spark.sql.functions.col;

/**
 * Packed windows and their figures. {@link #windows()} has the columns window_id (long: 0.. in the
 * seeded shuffle order, both splits together), split ("train" or "validation"), stream_offset (long:
 * position of the window's first token in its split's token stream) and tokens (array of
 * context_length + 1 ints). Call {@link #release()} after writing to drop the cached tokenized documents.
 */
public final class PackResult {
    public static final String TRAIN = "train";
    public static final String VALIDATION = "validation";

    private final Dataset<Row> windows;
    private final PackStats stats;
    private final Runnable release;

    PackResult(Dataset<Row> windows, PackStats stats, Runnable release) {
        this.windows = windows;
        this.stats = stats;
        this.release = release;
    }

    public Dataset<Row> windows() {
        return windows;
    }

    public Dataset<Row> train() {
        return windows.where(col("split").equalTo(TRAIN));
    }

    public Dataset<Row> validation() {
        return windows.where(col("split").equalTo(VALIDATION));
    }

    public PackStats stats() {
        return stats;
    }

    public void release() {
        release.run();
    }
}
