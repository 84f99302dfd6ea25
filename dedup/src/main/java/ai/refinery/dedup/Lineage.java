package ai.refinery.dedup;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.execution.LogicalRDD;

/**
 * Lineage truncation for dedup's chain of joins and aggregations. Each intermediate result is computed once and
 * handed on as a Dataset whose plan is only a scan of the stored rows, so every later query starts from that
 * scan instead of the whole lineage. On this job the driver's work on ever larger plans (analysis,
 * optimisation, AQE re-planning and the SQL UI's plan descriptions) otherwise costs more CPU than the tasks.
 */
final class Lineage {
    private Lineage() {
    }

    /**
     * Computes {@code ds} now and returns the stored result: in executor storage (memory and disk) for
     * {@code local}, in the Spark checkpoint directory for {@code reliable}, which survives losing an executor.
     */
    static Dataset<Row> materialize(Dataset<Row> ds, DedupSettings.CheckpointMode mode) {
        return mode == DedupSettings.CheckpointMode.RELIABLE ? ds.checkpoint(true) : ds.localCheckpoint(true);
    }

    /** Frees the executor storage of a result of {@link #materialize} (does nothing for other Datasets). */
    static void free(Dataset<?> ds) {
        if (ds != null && ds.queryExecution().logical() instanceof LogicalRDD stored) {
            stored.rdd().unpersist(false);
        }
    }
}
