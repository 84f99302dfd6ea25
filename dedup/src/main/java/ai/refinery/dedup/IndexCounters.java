package ai.refinery.dedup;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Counts of a run against a signature index, for stats.json.
 *
 * @param segments        committed index segments matched against
 * @param rows            indexed rows in them (from the segments' markers)
 * @param matched         indexed rows that share an exact key or an LSH bucket with an input document of the
 *                        same scope: the only ones read beyond the join
 * @param exactDuplicates input rows removed as exact duplicates of an indexed document
 * @param nearDuplicates  input rows removed as near duplicates of an indexed document
 */
public record IndexCounters(long segments, long rows, long matched, long exactDuplicates, long nearDuplicates) {

    public long duplicates() {
        return exactDuplicates + nearDuplicates;
    }

    /** Stable names for stats.json, each prefixed with {@code index_}. */
    public Map<String, Long> toMap() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("index_segments", segments);
        m.put("index_rows", rows);
        m.put("index_matched", matched);
        m.put("index_exact_duplicates", exactDuplicates);
        m.put("index_near_duplicates", nearDuplicates);
        return m;
    }
}
