package ai.refinery.rephrasing;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The synthetic knowledge source: the people table (entity records, in id order) and one biography per person
 * (document rows, in global shuffle order).
 */
public record BiosResult(Dataset<Row> people, Dataset<Row> biographies, BiosSettings settings) {

    /** Counts for stats.json (runs Spark jobs): people, biographies. */
    public Map<String, Long> stats() {
        Map<String, Long> stats = new LinkedHashMap<>();
        stats.put("people", people.count());
        stats.put("biographies", biographies.count());
        return stats;
    }
}
