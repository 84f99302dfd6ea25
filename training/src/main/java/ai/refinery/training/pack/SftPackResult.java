package ai.refinery.training.pack;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * SFT windows (columns in {@link SftPacker}) and their figures. Call {@link #release()} after writing to drop
 * the cached rendered conversations.
 */
public final class SftPackResult {
    private final Dataset<Row> windows;
    private final SftPackStats stats;
    private final Runnable release;

    SftPackResult(Dataset<Row> windows, SftPackStats stats, Runnable release) {
        this.windows = windows;
        this.stats = stats;
        this.release = release;
    }

    public Dataset<Row> windows() {
        return windows;
    }

    public SftPackStats stats() {
        return stats;
    }

    public void release() {
        release.run();
    }
}
