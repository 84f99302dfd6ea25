package ai.refinery.dedup;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * One boilerplate page copied many times: every copy lands in the same LSH buckets. Neither the bucket nor
 * the resulting component is ever gathered into memory (min-aggregations joined back), so the heap needed
 * does not grow with the copy count. The default count keeps the test quick; the figure reported for
 * 200,000 copies comes from -Drefinery.dedup.copies=200000.
 */
class HugeBucketTest {
    private static final int COPIES = Integer.getInteger("refinery.dedup.copies", 20_000);

    @Test
    void boilerplateCopiesCollapseToOneSurvivor() {
        SparkSession spark = SparkTestSupport.spark();
        StringBuilder page = new StringBuilder();
        for (int i = 0; i < 30; i++) {
            page.append(SparkTestSupport.word(i * 7 + 3)).append(' ');
        }
        // A unique letters-only word per copy (digits would normalise away): copies are near, not exact,
        // duplicates. 31 words -> 27 shingles, 26 shared: Jaccard 26/28 = 0.93 between any two copies.
        Column unique = expr("translate(conv(id, 10, 26), '0123456789', 'qrstuvwxyz')");
        Dataset<Row> near = spark.range(COPIES).select(
                expr("concat('near-', lpad(cast(id as string), 7, '0'))").as("id"),
                concat(lit(page.toString()), unique).as("text"));
        // Copies that differ only in a page number: exact duplicates after normalisation.
        Dataset<Row> exact = spark.range(COPIES).select(
                expr("concat('exact-', lpad(cast(id as string), 7, '0'))").as("id"),
                expr("concat('Cookie settings: we value your privacy. Page ', cast(id as string), ' of the archive.')").as("text"));
        Dataset<Row> input = near.union(exact);

        long start = System.nanoTime();
        DedupResult result = DedupJob.run(spark, input, DedupSettings.defaults());
        List<Row> kept = result.kept().orderBy("id").collectAsList();
        long removedNear = result.removed().where(col("reason").equalTo(DedupJob.REASON_NEAR)
                .and(col("duplicate_of").equalTo("near-0000000"))).count();
        long removedExact = result.removed().where(col("reason").equalTo(DedupJob.REASON_EXACT)
                .and(col("duplicate_of").equalTo("exact-0000000"))).count();
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("huge bucket: %d + %d copies in %.1f s, heap max %d MiB, counters %s%n", COPIES, COPIES,
                seconds, Runtime.getRuntime().maxMemory() >> 20, result.counters());

        assertEquals(2, kept.size());
        assertEquals("exact-0000000", kept.get(0).getAs("id"));
        assertEquals(COPIES, (int) kept.get(0).getAs("cluster_size"));
        assertEquals("near-0000000", kept.get(1).getAs("id"));
        assertEquals(COPIES, (int) kept.get(1).getAs("cluster_size"));
        assertEquals(COPIES - 1, removedNear);
        assertEquals(COPIES - 1, removedExact);
        DedupCounters c = result.counters();
        assertEquals(2L * COPIES, c.in());
        assertEquals(COPIES - 1, c.nearDuplicates());
        assertEquals(COPIES - 1, c.exactDuplicates());
        assertEquals(2, c.clusters());
        result.release();
    }
}
