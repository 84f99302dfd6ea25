package ai.refinery.dedup;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

import static ai.refinery.dedup.SparkTestSupport.ids;
import static ai.refinery.dedup.SparkTestSupport.join;
import static ai.refinery.dedup.SparkTestSupport.randomWords;
import static ai.refinery.dedup.SparkTestSupport.spark;
import static ai.refinery.dedup.SparkTestSupport.substitute;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The driver ({@link DriverDedup}) against the Spark plan of {@link DedupJob}: on one input with every case the
 * plan handles (exact copies, near copies on both sides of the threshold, chains of copies, empty and null texts,
 * texts shorter than a shingle, scopes with nulls, input cluster sizes, ids whose UTF-16 and UTF-8 orders differ)
 * both must give every row the same decision, and the same counts, under every setting that changes the logic.
 */
class DriverDedupTest {
    private static final StructType DOCS = new StructType()
            .add("id", DataTypes.StringType, true)
            .add("text", DataTypes.StringType, true)
            .add("dump", DataTypes.StringType, true)
            .add("cluster_size", DataTypes.IntegerType, true);

    @TempDir
    static Path work;

    private static List<Row> rows;

    @BeforeAll
    static void corpus() {
        SplittableRandom random = new SplittableRandom(11);
        rows = new ArrayList<>();
        String[] dumps = {"a", "b", null};
        for (int i = 0; i < 60; i++) {
            List<String> words = randomWords(random, 40 + random.nextInt(40), 400);
            String id = String.format(Locale.ROOT, "d%03d", i);
            String dump = dumps[i % 3];
            rows.add(doc(id, join(words), dump, null));
            switch (i % 6) {
                case 0 -> rows.add(doc(id + "-upper", join(words).toUpperCase(Locale.ROOT), dump, 3)); // exact
                case 1 -> { // one word changed: Jaccard ~0.85-0.9, kept apart by neither threshold 0.8 nor banding
                    rows.add(doc(id + "-near", join(substitute(words, 10)), dump, null));
                    // and a copy of the copy, one more word changed: a chain
                    rows.add(doc(id + "-near2", join(substitute(words, 10, 25)), dump, 2));
                }
                case 2 -> rows.add(doc(id + "-far", join(substitute(words, 5, 15, 25, 35)), dump, null)); // below 0.8
                case 3 -> rows.add(doc(id + "-otherdump", join(words), dumps[(i + 1) % 3], null));
                case 4 -> rows.add(doc(id + "-longer", join(words) + " " + join(words.subList(0, 3)), dump, null));
                default -> {
                }
            }
        }
        rows.add(doc("e1", "", "a", null));
        rows.add(doc("e2", "  !!! ", "a", null));
        rows.add(doc("e3", null, "a", null));
        rows.add(doc("e4", "", null, 5));
        rows.add(doc("s1", "two words", "b", null));
        rows.add(doc("s2", "Two words.", "b", null));
        // U+FFFD sorts before U+1F600 in UTF-8 (and code points), after it in UTF-16 (String.compareTo).
        rows.add(doc("\uFFFD-dup", "the same text in both of these rows, long enough to shingle", "a", null));
        rows.add(doc("\uD83D\uDE00-dup", "The same text in both of these rows, long enough to shingle!", "a", null));
    }

    private static Row doc(String id, String text, String dump, Integer clusterSize) {
        return RowFactory.create(id, text, dump, clusterSize);
    }

    private static Dataset<Row> input(List<Row> docs) {
        return spark().createDataFrame(docs, DOCS).repartition(3);
    }

    /** Every row's decision (kept with its cluster size, or removed with reason and survivor) and the counts. */
    record Run(Map<String, String> decisions, List<Long> counts, boolean onDriver) {
    }

    private static Run run(List<Row> docs, DedupSettings settings, SignatureIndex index) {
        DedupResult r = DedupJob.run(spark(), input(docs), settings, index);
        try {
            Map<String, String> decisions = new TreeMap<>();
            for (Row k : r.kept().select("id", "cluster_size").collectAsList()) {
                decisions.put(k.getString(0), "kept " + k.get(1));
            }
            for (Row k : r.removed().select("id", "reason", "duplicate_of").collectAsList()) {
                decisions.put(k.getString(0), k.getString(1) + " of " + k.getString(2));
            }
            DedupCounters c = r.counters();
            List<Long> counts = new ArrayList<>(List.of(c.in(), c.kept(), c.exactDuplicates(), c.nearDuplicates(),
                    c.clusters(), c.noShingles(), c.candidateEdges(), c.verifiedEdges()));
            if (r.indexCounters() != null) {
                IndexCounters ic = r.indexCounters();
                counts.addAll(List.of(ic.matched(), ic.exactDuplicates(), ic.nearDuplicates(),
                        (long) ids(r.survivorSignatures()).size()));
            }
            return new Run(decisions, counts, c.onDriver());
        } finally {
            r.release();
        }
    }

    private static void assertSameOnBoth(String what, DedupSettings settings) {
        Run spark = run(rows, settings.withDriverMaxCharacters(0), null);
        Run driver = run(rows, settings, null);
        assertFalse(spark.onDriver(), what);
        assertTrue(driver.onDriver(), what);
        assertEquals(rows.size(), driver.decisions().size(), what);
        assertEquals(spark.decisions(), driver.decisions(), what);
        assertEquals(spark.counts(), driver.counts(), what);
    }

    @Test
    void sameDecisionsAsTheSparkPlanUnderEverySetting() {
        Map<String, UnaryOperator<DedupSettings>> variants = new LinkedHashMap<>();
        variants.put("defaults", s -> s);
        variants.put("longest text survives", s -> s.withSurvivor(SurvivorRule.LONGEST_TEXT));
        variants.put("per dump", s -> s.withScopeColumn("dump"));
        variants.put("estimated verification", s -> s.withVerification(Verification.ESTIMATED, 0.8));
        variants.put("no verification", s -> s.withVerification(Verification.OFF, 0.8));
        variants.put("strict threshold", s -> s.withVerification(Verification.EXACT, 0.88));
        variants.put("near only", s -> s.withStages(false, true));
        variants.put("exact only", s -> s.withStages(true, false));
        variants.put("character shingles", s -> s.withShingles(ShingleType.CHAR, 12));
        for (Map.Entry<String, UnaryOperator<DedupSettings>> v : variants.entrySet()) {
            assertSameOnBoth(v.getKey(), v.getValue().apply(DedupSettings.defaults()));
        }
    }

    @Test
    void theCorpusExercisesEveryDecision() {
        Run driver = run(rows, DedupSettings.defaults(), null);
        Map<String, String> d = driver.decisions();
        List<Long> c = driver.counts();
        assertEquals("kept 4", d.get("d000"), "an exact copy weighted 3 joins the original");
        assertEquals("exact-duplicate of \uFFFD-dup", d.get("\uD83D\uDE00-dup"), "ids compare as UTF-8");
        assertEquals("kept 1", d.get("d002-far"), "four changed words stay apart");
        assertTrue(c.get(3) > 0, "near duplicates are removed");
        assertTrue(c.get(6) > c.get(7), "some candidates fail verification");
        assertTrue(c.get(5) > 0, "texts without shingles are counted");
    }

    @Test
    void largerInputsRunAsSparkJobs() {
        long characters = rows.stream().mapToLong(r -> r.isNullAt(1) ? 0 : r.getString(1).length()).sum();
        assertTrue(run(rows, DedupSettings.defaults().withDriverMaxCharacters(characters), null).onDriver());
        assertFalse(run(rows, DedupSettings.defaults().withDriverMaxCharacters(characters - 1), null).onDriver());
    }

    @Test
    void duplicateIdsAreRefusedOnTheDriverToo() {
        List<Row> twice = List.of(doc("z", "one", null, null), doc("z", "two", null, null));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> run(twice, DedupSettings.defaults(), null));
        assertEquals("dedup input ids must be unique; id 'z' occurs 2 times", e.getMessage());
        List<Row> nullId = List.of(doc(null, "one", null, null));
        assertThrows(IllegalArgumentException.class, () -> run(nullId, DedupSettings.defaults(), null));
    }

    @Test
    void againstAnIndexTheDriverDecidesAsTheSparkPlan() {
        DedupSettings settings = DedupSettings.defaults().withScopeColumn("dump");
        List<Row> first = new ArrayList<>();
        List<Row> second = new ArrayList<>();
        for (Row r : rows) {
            String id = r.getString(0);
            (id.contains("-") && !id.endsWith("-dup") || id.startsWith("e") ? second : first).add(r);
        }
        String path = work.resolve("index").toString();
        SignatureIndex night1 = SignatureIndex.open(spark(), IndexSettings.at(path), settings, work.resolve("n1").toString());
        DedupResult r1 = DedupJob.run(spark(), input(first), settings, night1);
        night1.stage(r1.survivorSignatures()).commit();
        r1.release();

        SignatureIndex index = SignatureIndex.open(spark(), IndexSettings.at(path), settings, work.resolve("n2").toString());
        Run spark = run(second, settings.withDriverMaxCharacters(0), index);
        Run driver = run(second, settings, index);
        assertTrue(driver.onDriver());
        assertEquals(spark.decisions(), driver.decisions());
        assertEquals(spark.counts(), driver.counts());
        assertNotEquals(0L, driver.counts().get(9), "copies of indexed documents are found");
    }
}
