package ai.refinery.dedup;

import ai.refinery.core.outcome.Counts;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Counts of one dedup run, for stats.json (see {@link #counts()} and {@link #figures()}). {@code in = kept + exactDuplicates + nearDuplicates} always holds.
 *
 * @param in                rows read
 * @param kept              rows kept (one per cluster)
 * @param exactDuplicates   rows removed because their normalised text equals a kept or removed row's
 * @param nearDuplicates    rows removed by MinHash LSH + connected components
 * @param clusters          clusters of two or more rows (each has one kept row)
 * @param noShingles        exact-dedup survivors whose text normalises to nothing: exact dedup only
 * @param candidateEdges    distinct document-to-bucket-minimum pairs from LSH, before verification
 * @param verifiedEdges     those pairs that passed verification (equal to candidateEdges when it is off)
 * @param componentRounds   large-star/small-star rounds run (0 on the driver)
 * @param onDriver          whether steps after the features pass ran on the driver ({@code dedup.driver.max_characters})
 */
public record DedupCounters(long in, long kept, long exactDuplicates, long nearDuplicates, long clusters,
                            long noShingles, long candidateEdges, long verifiedEdges, int componentRounds,
                             boolean onDriver) {

    public long removed() {
        return exactDuplicates + nearDuplicates;
    }

    /** The common counts: rows in, kept, and the removed rows under stage "dedup" by reason. */
    public Counts counts() {
        return Counts.of(in, kept, Map.of(DedupStage.STAGE,
                Map.of(DedupJob.REASON_EXACT, exactDuplicates, DedupJob.REASON_NEAR, nearDuplicates)));
    }

    /** Dedup's own figures for stats.json, beside the common counts. */
    public Map<String, Long> figures() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("clusters", clusters);
        m.put("no_shingles", noShingles);
        m.put("candidate_edges", candidateEdges);
        m.put("verified_edges", verifiedEdges);
        m.put("component_rounds", (long) componentRounds);
        m.put("on_driver", onDriver ? 1L : 0L);
        return m;
    }
}
