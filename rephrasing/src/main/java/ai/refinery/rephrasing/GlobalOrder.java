package ai.refinery.rephrasing;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import static org.apache.spark.sql.functions.col;

/**
 * The seeded global shuffle of generated rows. Every row carries {@code shuffle_key}, a hash of (seed, id); the
 * output order is ascending (shuffle_key, id), a total order, so it is the same whatever the partitioning and it
 * scatters a person's variants over the whole output: if they shared a training window, training loss would fall
 * while held-out accuracy collapses (the pitfall replications of Physics of Language Models 3.1 report).
 *
 * <p>How to keep the order when writing: either write the Dataset as returned (it is range-partitioned and sorted,
 * so part file i holds the i-th key range in order), or call {@link #forWrite(Dataset, int)} to choose the number
 * of files. Never {@code repartition(n)} or {@code coalesce(n)} it afterwards: both lose the order. Readers that need
 * the order sort by (shuffle_key, id), or read the part files in name order, since each file is sorted and holds
 * a key range above the previous file's.
 */
public final class GlobalOrder {
    public static final String SHUFFLE_KEY = "shuffle_key";
    private static final long PURPOSE_SHUFFLE = 0x53484646L;

    private GlobalOrder() {
    }

    public static long key(long seed, String id) {
        return Hashing.hash(seed, PURPOSE_SHUFFLE, Hashing.hash(id));
    }

    /** The rows in global (shuffle_key, id) order. */
    public static Dataset<Row> sort(Dataset<Row> rows) {
        return rows.orderBy(col(SHUFFLE_KEY), col("id"));
    }

    /** The rows in global order in exactly {@code files} range partitions, each sorted: one Parquet file each. */
    public static Dataset<Row> forWrite(Dataset<Row> rows, int files) {
        if (files < 1) {
            return sort(rows);
        }
        return rows.repartitionByRange(files, col(SHUFFLE_KEY), col("id"))
                .sortWithinPartitions(col(SHUFFLE_KEY), col("id"));
    }
}
