package ai.refinery.core.output;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Where a stage writes: a {@link StageRun} (a stage output folder, staged and committed atomically) or a
 * {@link RunFolder} (a training run, written in place and resumable). Children are named by {@link Layout}.
 */
public interface Output {
    /** Where a child is being written now (a URI string usable by Spark writers). */
    String path(String child);

    /** Writes rows as Parquet (the session's codec, zstd by default) into a child folder. */
    default void writeParquet(String child, Dataset<Row> rows) {
        rows.write().parquet(path(child));
    }

    void writeText(String child, String content);

    /** Where the finished output is (or will be, once committed). */
    String target();

    /** The manifest being assembled; stages add their own entries (inputs, model, index...). */
    Manifest manifest();
}
