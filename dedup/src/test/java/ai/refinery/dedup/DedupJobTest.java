package ai.refinery.dedup;

import ai.refinery.core.config.ConfigError;
import ai.refinery.core.config.Settings;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;

import static ai.refinery.dedup.SparkTestSupport.docs;
import static ai.refinery.dedup.SparkTestSupport.ids;
import static ai.refinery.dedup.SparkTestSupport.join;
import static ai.refinery.dedup.SparkTestSupport.randomWords;
import static ai.refinery.dedup.SparkTestSupport.spark;
import static ai.refinery.dedup.SparkTestSupport.substitute;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The job's Spark plan ({@code dedup.driver.max_characters = 0}); DriverDedupTest checks the driver gives the same. */
class DedupJobTest {
    private static final DedupSettings DEFAULTS = DedupSettings.defaults().withDriverMaxCharacters(0);

    private static Map<String, Row> byId(Dataset<Row> rows) {
        Map<String, Row> m = new HashMap<>();
        for (Row r : rows.collectAsList()) {
            m.put(r.getAs("id"), r);
        }
        return m;
    }

    @Test
    void settingsDefaultsComeFromTheConfigurationFile() {
        assertEquals(DedupSettings.defaults(), DedupSettings.fromConfig(Settings.defaults()));
        DedupSettings changed = DedupSettings.fromConfig(Settings.load(null,
                List.of("dedup.survivor=longest_text", "dedup.near.verify=off", "dedup.near.shingle_type=char",
                        "dedup.near.shingle_size=24", "dedup.scope_column=dump")));
        assertEquals(SurvivorRule.LONGEST_TEXT, changed.survivor());
        assertEquals(Verification.OFF, changed.verification());
        assertEquals(ShingleType.CHAR, changed.shingleType());
        assertEquals(24, changed.shingleSize());
        assertEquals("dump", changed.scopeColumn());
        ConfigError bad = assertThrows(ConfigError.class, () -> DedupSettings.fromConfig(
                Settings.load(null, List.of("dedup.near.verify=sometimes"))));
        assertTrue(bad.getMessage().startsWith("dedup.near.verify"), bad.getMessage());
        ConfigError range = assertThrows(ConfigError.class, () -> DedupSettings.fromConfig(
                Settings.load(null, List.of("dedup.near.threshold=1.5"))));
        assertTrue(range.getMessage().startsWith("dedup.near.threshold"), range.getMessage());
    }

    @Test
    void exactDuplicatesOfNormalisedTextAndEmptyTexts() {
        Dataset<Row> input = docs(List.of(
                new String[] {"a", "Hello, World! Call 555-1234."},
                new String[] {"b", "hello world call 0-9"},
                new String[] {"c", "Something else entirely, with more words than five."},
                new String[] {"d", ""},
                new String[] {"e", null},
                new String[] {"f", "!!!"},
                new String[] {"g", "???"},
                new String[] {"h", "Hello World"}));
        DedupResult result = DedupJob.run(spark(), input, DEFAULTS);
        Map<String, Row> kept = byId(result.kept());
        Map<String, Row> removed = byId(result.removed());
        assertEquals(new TreeSet<>(List.of("a", "c", "d", "f", "g", "h")), new TreeSet<>(kept.keySet()));
        assertEquals(new TreeSet<>(List.of("b", "e")), new TreeSet<>(removed.keySet()));
        assertEquals(DedupJob.REASON_EXACT, removed.get("b").getAs("reason"));
        assertEquals("a", removed.get("b").getAs("duplicate_of"));
        assertEquals("d", removed.get("e").getAs("duplicate_of"));
        assertEquals(2, (int) kept.get("a").getAs("cluster_size"));
        assertEquals(2, (int) kept.get("d").getAs("cluster_size"));
        assertEquals(1, (int) kept.get("f").getAs("cluster_size"));
        // Input columns pass through.
        assertEquals("https://example.org/b", removed.get("b").getAs("url"));
        assertEquals(List.of("id", "text", "url", "cluster_size"), List.of(result.kept().columns()));
        assertEquals(List.of("id", "text", "url", "reason", "duplicate_of"), List.of(result.removed().columns()));

        DedupCounters c = result.counters();
        assertEquals(8, c.in());
        assertEquals(6, c.kept());
        assertEquals(2, c.exactDuplicates());
        assertEquals(0, c.nearDuplicates());
        assertEquals(2, c.clusters());
        // d, f and g normalise to nothing: exact dedup only.
        assertEquals(3, c.noShingles());
        // "Hello World" is one short shingle; it differs from a's, so no candidate is found at all.
        assertEquals(0, c.candidateEdges());
    }

    /** A ~ B and B ~ C above the threshold, A and C below it: one cluster through B. */
    private static List<String[]> chain(SplittableRandom random) {
        List<String> a = randomWords(random, 200, 5000);
        List<String> b = substitute(a, 20, 90, 160);
        List<String> c = substitute(b, 55, 125, 190);
        List<String[]> docs = new ArrayList<>();
        docs.add(new String[] {"doc-b", join(b)});
        docs.add(new String[] {"doc-c", join(c)});
        docs.add(new String[] {"doc-a", join(a)});
        return docs;
    }

    @Test
    void nearDuplicateChainIsOneClusterWhateverThePartitioning() {
        SplittableRandom random = new SplittableRandom(3);
        List<String[]> chain = chain(random);
        Shingler shingler = DEFAULTS.shingler();
        long[] a = shingler.shingles(TextNormalizer.normalize(chain.get(2)[1]));
        long[] b = shingler.shingles(TextNormalizer.normalize(chain.get(0)[1]));
        long[] c = shingler.shingles(TextNormalizer.normalize(chain.get(1)[1]));
        // 3 substitutions in 200 words: 196 shingles, 15 replaced -> 181 / 211.
        assertEquals(181.0 / 211, Shingler.jaccard(a, b), 1e-9);
        assertEquals(181.0 / 211, Shingler.jaccard(b, c), 1e-9);
        assertTrue(Shingler.jaccard(a, c) < 0.75);
        DedupSettings settings = DEFAULTS.withVerification(Verification.EXACT, 0.85);

        List<String[]> all = new ArrayList<>(chain);
        for (int i = 0; i < 40; i++) {
            all.add(new String[] {"other-" + i, join(randomWords(random, 60 + i, 5000))});
        }
        SparkSession spark = spark();
        String before = spark.conf().get("spark.sql.shuffle.partitions");
        TreeSet<String> expectedKept = null;
        try {
            for (int[] p : new int[][] {{1, 1}, {3, 2}, {7, 5}}) {
                spark.conf().set("spark.sql.shuffle.partitions", String.valueOf(p[1]));
                DedupResult result = DedupJob.run(spark, docs(all).repartition(p[0]), settings);
                TreeSet<String> kept = ids(result.kept());
                Map<String, Row> removed = byId(result.removed());
                assertEquals(41, kept.size(), "partitions " + p[0] + "/" + p[1]);
                assertTrue(kept.contains("doc-a"));
                for (String id : List.of("doc-b", "doc-c")) {
                    assertEquals(DedupJob.REASON_NEAR, removed.get(id).getAs("reason"));
                    assertEquals("doc-a", removed.get(id).getAs("duplicate_of"));
                }
                Row keptA = result.kept().where(col("id").equalTo("doc-a")).first();
                assertEquals(3, (int) keptA.getAs("cluster_size"));
                assertEquals(2, result.counters().nearDuplicates());
                assertEquals(1, result.counters().clusters());
                if (expectedKept == null) {
                    expectedKept = kept;
                } else {
                    assertEquals(expectedKept, kept);
                }
            }
        } finally {
            spark.conf().set("spark.sql.shuffle.partitions", before);
        }

        // Without the middle document, A and C stay apart.
        DedupResult apart = DedupJob.run(spark, docs(List.of(chain.get(1), chain.get(2))), settings);
        assertEquals(new TreeSet<>(List.of("doc-a", "doc-c")), ids(apart.kept()));
    }

    @Test
    void storedIntermediatesAreFreedOnRelease() {
        SparkSession spark = spark();
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Set<Integer> before = new HashSet<>(sc.getPersistentRDDs().keySet());
        List<String[]> all = new ArrayList<>(chain(new SplittableRandom(3)));
        all.add(new String[] {"doc-a-copy", all.get(2)[1]});
        DedupResult result = DedupJob.run(spark, docs(all), DEFAULTS.withVerification(Verification.EXACT, 0.85));
        assertTrue(result.counters().componentRounds() >= 1, "the chain needs a components round");
        Set<Integer> during = new HashSet<>(sc.getPersistentRDDs().keySet());
        during.removeAll(before);
        assertEquals(1, during.size(), "only the per-row decisions stay stored until release: " + during);
        assertEquals(new TreeSet<>(List.of("doc-a")), ids(result.kept()));
        assertEquals(3, result.removed().count());
        result.release();
        // Earlier tests' RDDs may be cleaned meanwhile: only what this run stored must be gone.
        Set<Integer> left = new HashSet<>(sc.getPersistentRDDs().keySet());
        left.removeAll(before);
        assertEquals(Set.of(), left);
    }

    @Test
    void survivorRules() {
        SplittableRandom random = new SplittableRandom(5);
        List<String> base = randomWords(random, 100, 5000);
        List<String> longer = new ArrayList<>(base);
        longer.add("postscript");
        List<String[]> docs = List.of(
                new String[] {"id-1", join(base)},
                new String[] {"id-2", join(longer)},
                // Exact pair: same normalised text, id-4's raw text is longer.
                new String[] {"id-3", "Plain words here"},
                new String[] {"id-4", "Plain words here!!!"},
                // Exact pair of equal length: the smaller id wins the tie.
                new String[] {"id-6", "same length text"},
                new String[] {"id-5", "Same length text"});
        TreeSet<String> smallest = ids(DedupJob.run(spark(), docs(docs), DEFAULTS).kept());
        assertEquals(new TreeSet<>(List.of("id-1", "id-3", "id-5")), smallest);
        DedupResult longest = DedupJob.run(spark(), docs(docs), DEFAULTS.withSurvivor(SurvivorRule.LONGEST_TEXT));
        assertEquals(new TreeSet<>(List.of("id-2", "id-4", "id-5")), ids(longest.kept()));
        Map<String, Row> removed = byId(longest.removed());
        assertEquals("id-2", removed.get("id-1").getAs("duplicate_of"));
        assertEquals(DedupJob.REASON_NEAR, removed.get("id-1").getAs("reason"));
        assertEquals("id-4", removed.get("id-3").getAs("duplicate_of"));
        assertEquals(DedupJob.REASON_EXACT, removed.get("id-3").getAs("reason"));
    }

    @Test
    void scopeColumnKeepsDumpsApart() {
        List<String[]> docs = List.of(
                new String[] {"x1", "The same page in two crawl dumps, word for word."},
                new String[] {"x2", "The same page in two crawl dumps, word for word."},
                new String[] {"x3", "The same page in two crawl dumps, word for word."});
        Dataset<Row> input = docs(docs).withColumn("dump",
                org.apache.spark.sql.functions.when(col("id").equalTo("x1"), lit("CC-2024-10")).otherwise(lit("CC-2024-18")));
        DedupResult scoped = DedupJob.run(spark(), input, DEFAULTS.withScopeColumn("dump"));
        assertEquals(new TreeSet<>(List.of("x1", "x2")), ids(scoped.kept()));
        assertEquals("x2", scoped.removed().first().getAs("duplicate_of"));
        DedupResult global = DedupJob.run(spark(), input, DEFAULTS);
        assertEquals(new TreeSet<>(List.of("x1")), ids(global.kept()));
        ConfigError missing = assertThrows(ConfigError.class,
                () -> DedupJob.run(spark(), docs(docs), DEFAULTS.withScopeColumn("crawl")));
        assertTrue(missing.getMessage().startsWith("dedup.scope_column"), missing.getMessage());
    }

    @Test
    void inputClusterSizesAddUp() {
        Dataset<Row> input = docs(List.of(
                new String[] {"p", "A page seen before, already deduplicated once."},
                new String[] {"q", "a page seen before already deduplicated once"}))
                .withColumn("cluster_size", org.apache.spark.sql.functions.when(col("id").equalTo("p"), lit(3)).otherwise(lit(2)));
        DedupResult result = DedupJob.run(spark(), input, DEFAULTS);
        Row kept = result.kept().first();
        assertEquals("p", kept.getAs("id"));
        assertEquals(5, (int) kept.getAs("cluster_size"));
        assertEquals(2, (int) result.removed().first().getAs("cluster_size"));
    }

    @Test
    void duplicateOrMissingIdsAreRefused() {
        IllegalArgumentException dup = assertThrows(IllegalArgumentException.class, () -> DedupJob.run(spark(),
                docs(List.of(new String[] {"z", "one"}, new String[] {"z", "two"})), DEFAULTS));
        assertTrue(dup.getMessage().contains("'z' occurs 2 times"), dup.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DedupJob.run(spark(),
                docs(List.<String[]>of(new String[] {null, "one"})), DEFAULTS));
        assertThrows(IllegalArgumentException.class, () -> DedupJob.run(spark(),
                docs(List.<String[]>of(new String[] {"k", "one"})).drop("text"), DEFAULTS));
    }

    @Test
    void eachPassCanBeTurnedOff() {
        SplittableRandom random = new SplittableRandom(9);
        List<String> words = randomWords(random, 80, 5000);
        List<String[]> docs = List.of(
                new String[] {"e1", join(words)},
                new String[] {"e2", join(words).toUpperCase(java.util.Locale.ROOT)},
                new String[] {"n1", join(substitute(words, 40)) + " tail"});
        // Near pass only: the case-only copy is a near duplicate with similarity 1.
        DedupResult nearOnly = DedupJob.run(spark(), docs(docs), DEFAULTS.withStages(false, true));
        assertEquals(new TreeSet<>(List.of("e1")), ids(nearOnly.kept()));
        assertEquals(2, nearOnly.counters().nearDuplicates());
        assertEquals(0, nearOnly.counters().exactDuplicates());
        // Exact pass only: the edited copy stays.
        DedupResult exactOnly = DedupJob.run(spark(), docs(docs), DEFAULTS.withStages(true, false));
        assertEquals(new TreeSet<>(List.of("e1", "n1")), ids(exactOnly.kept()));
        assertEquals(DedupJob.REASON_EXACT, exactOnly.removed().first().getAs("reason"));
        assertEquals(0, exactOnly.counters().candidateEdges());
    }

    @Test
    void signatureRowsRoundTripThroughParquet() {
        String text = "A stored signature lets a later dump be checked against this one without its text.";
        Dataset<Row> signatures = DedupJob.signatures(docs(List.<String[]>of(new String[] {"s1", text})), DEFAULTS);
        String path = java.nio.file.Path.of(System.getProperty("java.io.tmpdir"), "dedup-signatures-" + System.nanoTime()).toString();
        signatures.write().parquet(path);
        Row row = spark().read().parquet(path).first();
        assertEquals("s1", row.getAs("id"));
        List<Long> bands = row.getList(row.fieldIndex("bands"));
        MinHasher hasher = DEFAULTS.minHasher();
        long[] expected = hasher.bandKeys(hasher.signature(DEFAULTS.shingler().shingles(TextNormalizer.normalize(text))));
        assertEquals(14, bands.size());
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], (long) bands.get(i));
        }
    }
}
