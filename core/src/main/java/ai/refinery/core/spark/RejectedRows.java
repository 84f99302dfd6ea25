package ai.refinery.core.spark;

import ai.refinery.core.schema.Columns;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

import java.util.Map;
import java.util.TreeMap;

/** Counts a rejected/ table by its own stage and reason columns, so the counts always match what was written. */
public final class RejectedRows {
    private RejectedRows() {
    }

    /** {stage: {reason: rows}} of rows with stage and reason columns (one Spark job). */
    public static Map<String, Map<String, Long>> byStageAndReason(Dataset<Row> rejected) {
        Map<String, Map<String, Long>> counts = new TreeMap<>();
        for (Row r : rejected.groupBy(functions.col(Columns.STAGE), functions.col(Columns.REASON)).count().collectAsList()) {
            String stage = r.isNullAt(0) ? "unknown" : r.getString(0);
            String reason = r.isNullAt(1) ? "unknown" : r.getString(1);
            counts.computeIfAbsent(stage, s -> new TreeMap<>()).merge(reason, r.getLong(2), Long::sum);
        }
        return counts;
    }
}
