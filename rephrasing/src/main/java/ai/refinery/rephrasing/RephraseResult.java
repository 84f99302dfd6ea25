package ai.refinery.rephrasing;

import ai.refinery.core.schema.Columns;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;

/**
 * What a rephrasing step produces: the generated rows (in global shuffle order) and the input people it could
 * not use, each with {@code stage} and {@code reason}.
 */
public record RephraseResult(Dataset<Row> data, Dataset<Row> rejected, Dataset<Row> peopleIn) {

    /**
     * Counts for stats.json (runs Spark jobs): people_in, people_used, people_rejected, rows_out and
     * rejected.&lt;reason&gt; for each reason.
     */
    public Map<String, Long> stats() {
        Map<String, Long> stats = new LinkedHashMap<>();
        long in = peopleIn.count();
        long out = data.count();
        stats.put("people_in", in);
        long rejectedTotal = 0;
        Map<String, Long> reasons = new LinkedHashMap<>();
        List<Row> byReason = rejected.groupBy(col(Columns.REASON)).count().orderBy(col(Columns.REASON)).collectAsList();
        for (Row r : byReason) {
            reasons.put("rejected." + r.getString(0), r.getLong(1));
            rejectedTotal += r.getLong(1);
        }
        stats.put("people_used", in - rejectedTotal);
        stats.put("people_rejected", rejectedTotal);
        stats.put("rows_out", out);
        stats.putAll(reasons);
        return stats;
    }
}
