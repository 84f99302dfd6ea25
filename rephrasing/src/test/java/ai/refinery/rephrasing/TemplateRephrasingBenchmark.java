package ai.refinery.rephrasing;

import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Throughput of template rephrasing: rows per second per core, on local[1], for the paper's multi5 + permute.
 * Skipped unless -Drefinery.bench=true; people (-Drefinery.bench.people, default 100000) are generated and
 * cached first so only rephrasing is timed. Run:
 * mvn -B -q -pl data-pipeline,rephrasing test -Dtest=TemplateRephrasingBenchmark -Drefinery.bench=true
 * -Dsurefire.failIfNoSpecifiedTests=false ; the figures are in target/surefire-reports/*Benchmark-output.txt.
 */
class TemplateRephrasingBenchmark {

    @Test
    void rowsPerSecondPerCore() {
        assumeTrue(Boolean.getBoolean("refinery.bench"), "benchmark: run with -Drefinery.bench=true");
        long n = Long.getLong("refinery.bench.people", 100_000);
        int multi = Integer.getInteger("refinery.bench.multi", 5);

        // Plain Java, one thread: the text generation alone.
        PersonGenerator generator = new PersonGenerator(1, Pools.standard());
        BiographyWriter writer = BiographyWriter.standard();
        long chars = 0;
        for (int i = 0; i < 20_000; i++) {
            chars += writer.write(generator.person(i), 1, multi, true, false).get(0).text().length();
        }
        long t0 = System.nanoTime();
        long rows = 0;
        for (long i = 0; i < n; i++) {
            for (BiographyWriter.Biography b : writer.write(generator.person(i), 1, multi, true, false)) {
                chars += b.text().length();
                rows++;
            }
        }
        double plainSeconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("bench plain-java: %d people x multi%d = %d rows in %.2f s: %.0f rows/s on 1 core (%d chars)%n",
                n, multi, rows, plainSeconds, rows / plainSeconds, chars);

        SparkSession spark = SparkSession.builder().master("local[1]").appName("rephrasing-bench")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "8").getOrCreate();
        try {
            Dataset<Row> people = BiosJob.run(spark, n, 1, 8).people().cache();
            people.count();
            RephraseSettings settings = RephraseSettings.of(1, multi, true, false);
            // Warm-up on a slice, then the timed runs.
            TemplateRephraser.run(spark, people.limit(10_000), settings).data().write().format("noop").mode("overwrite").save();

            String rephraser = settings.rephraserName();
            rows = n * multi;
            long t1 = System.nanoTime();
            // Generation and row encoding only: the work of TemplateRephraser.run before its global sort.
            people.mapPartitions((MapPartitionsFunction<Row, Row>) it -> {
                BiographyWriter w = BiographyWriter.standard();
                return TemplateRephraser.flatMap(it, r -> TemplateRephraser.rows(w, PeopleTable.fromRow(r), 1, multi,
                        true, false, rephraser));
            }, Encoders.row(DocumentRows.SCHEMA)).write().format("noop").mode("overwrite").save();
            double renderSeconds = (System.nanoTime() - t1) / 1e9;

            long t2 = System.nanoTime();
            TemplateRephraser.run(spark, people, settings).data().write().format("noop").mode("overwrite").save();
            double fullSeconds = (System.nanoTime() - t2) / 1e9;
            System.out.printf("bench spark local[1] render only: %d rows in %.2f s: %.0f rows/s per core%n",
                    rows, renderSeconds, rows / renderSeconds);
            System.out.printf("bench spark local[1] full run (validate, render, global sort): %d rows in %.2f s:"
                    + " %.0f rows/s per core%n", rows, fullSeconds, rows / fullSeconds);
        } finally {
            spark.stop();
        }
    }
}
