package ai.refinery.rephrasing;

import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Generates the bioS knowledge source as a Spark job: person i is a pure function of (seed, i), so any number of
 * people (up to the 160 million distinct names) is generated in parallel with no shuffle, and the output is the
 * same for any number of partitions.
 */
public final class BiosJob {
    /** Rephraser name on base biographies: one variant, canonical order, pronouns. */
    public static final String BASE_REPHRASER = "template/multi1";

    private BiosJob() {
    }

    public static BiosResult run(SparkSession spark, BiosSettings settings) {
        return run(spark, settings.people(), settings.seed(), settings.partitions());
    }

    /**
     * @param people     how many people, 1 .. 160,000,000
     * @param seed       the seed of every draw
     * @param partitions Spark partitions; 0 = the context's default parallelism
     */
    public static BiosResult run(SparkSession spark, long people, long seed, int partitions) {
        BiosSettings settings = new BiosSettings(people, seed, partitions);
        int slices = partitions > 0 ? partitions : spark.sparkContext().defaultParallelism();
        MapFunction<Long, Row> generate = index -> PeopleTable.toRow(Generators.forSeed(seed).person(index));
        Dataset<Row> table = spark.range(0, people, 1, slices).as(Encoders.LONG())
                .map(generate, Encoders.row(PeopleTable.SCHEMA));
        Dataset<Row> biographies = TemplateRephraser.run(table, seed, 1, false, false, BASE_REPHRASER).data();
        return new BiosResult(table, biographies, settings);
    }

    /** One generator per seed and JVM, so tasks do not rebuild it for every row. */
    static final class Generators {
        private record Cached(long seed, PersonGenerator generator) {
        }

        private static volatile Cached cached;

        private Generators() {
        }

        static PersonGenerator forSeed(long seed) {
            Cached c = cached;
            if (c == null || c.seed() != seed) {
                c = new Cached(seed, new PersonGenerator(seed, Pools.standard()));
                cached = c;
            }
            return c.generator();
        }
    }
}
