package ai.refinery.dedup;

import ai.refinery.core.config.ConfigError;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

import static ai.refinery.dedup.SparkTestSupport.ids;
import static ai.refinery.dedup.SparkTestSupport.spark;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.udf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two nightly runs against one signature index, on real Europarl passages (Tika's language-detection test
 * texts), deduplicated per language (scope column {@code lang}). Run 1 indexes dump A; dump B holds exact and
 * near copies of A's survivors, an English copy labelled French, fresh passages and a near pair among them.
 */
class IncrementalDedupTest {
    private static final String[] LANGS = {"en", "fr", "de"};
    private static final int WORDS = 100;
    /** The Spark plan; DriverDedupTest runs the same nights on the driver. */
    static final DedupSettings SETTINGS = DedupSettings.defaults().withScopeColumn("lang").withDriverMaxCharacters(0);
    private static final StructType DOCS = new StructType()
            .add("id", DataTypes.StringType, false)
            .add("text", DataTypes.StringType, true)
            .add("lang", DataTypes.StringType, true);

    @TempDir
    static Path work;

    private static Map<String, List<String>> words;
    private static List<Row> dumpA;
    private static List<Row> dumpB;
    private static Outcome run1;
    private static Outcome run2;

    /** What a run left behind, collected before its cached data is released. */
    record Outcome(TreeSet<String> kept, Map<String, Row> removed, DedupCounters counters, IndexCounters index,
                   long appended, String segment) {
    }

    @BeforeAll
    static void twoNightlyRuns() throws IOException {
        Path dir = Path.of(System.getProperty("refinery.corpora", "target/corpora"),
                "langid/org/apache/tika/langdetect/language-tests");
        words = new HashMap<>();
        for (String lang : LANGS) {
            words.put(lang, Arrays.asList(Files.readString(dir.resolve(lang + ".test"), StandardCharsets.UTF_8)
                    .trim().split("\\s+")));
        }
        dumpA = new ArrayList<>();
        for (String lang : LANGS) {
            for (int p = 0; p < 10; p++) {
                dumpA.add(doc("a-" + lang + "-" + p, passage(lang, p), lang));
            }
        }
        dumpA.add(doc("a-en-0x", edit(passage("en", 0), 50), "en")); // a near copy within dump A

        dumpB = new ArrayList<>();
        dumpB.add(doc("b-copy-en-1", passage("en", 1).toUpperCase(Locale.ROOT), "en"));
        dumpB.add(doc("b-copy-fr-2", passage("fr", 2) + " !", "fr"));
        dumpB.add(doc("b-copy-de-3", passage("de", 3), "de"));
        dumpB.add(doc("b-near-en-4", edit(passage("en", 4), 30), "en"));
        dumpB.add(doc("b-near-fr-5", edit(passage("fr", 5), 60), "fr"));
        dumpB.add(doc("b-near-de-6", edit(passage("de", 6), 45), "de"));
        dumpB.add(doc("b-mislabelled-7", passage("en", 7), "fr")); // another scope: not compared with a-en-7
        for (String lang : LANGS) {
            for (int p = 20; p < 28; p++) {
                dumpB.add(doc("b-" + lang + "-" + p, passage(lang, p), lang));
            }
        }
        dumpB.add(doc("b-en-20y", edit(passage("en", 20), 10), "en")); // a near pair within dump B

        String index = work.resolve("index").toString();
        run1 = runNight(dumpA, IndexSettings.at(index), work.resolve("night-1").toString());
        run2 = runNight(dumpB, IndexSettings.at(index), work.resolve("night-2").toString());
    }

    private static Row doc(String id, String text, String lang) {
        return RowFactory.create(id, text, lang);
    }

    private static String passage(String lang, int n) {
        return String.join(" ", words.get(lang).subList(n * WORDS, (n + 1) * WORDS));
    }

    /** One word substituted: 5 of 96 word 5-grams change, Jaccard 91 / 101 = 0.90. */
    private static String edit(String text, int position) {
        List<String> w = new ArrayList<>(Arrays.asList(text.split(" ")));
        w.set(position, "zqx" + w.get(position));
        return String.join(" ", w);
    }

    private static Dataset<Row> frame(List<Row> rows) {
        return spark().createDataFrame(rows, DOCS);
    }

    /** What the dedup command does: match against the index, then append the survivors atomically. */
    static Outcome runNight(List<Row> dump, IndexSettings indexSettings, String output) {
        SparkSession spark = spark();
        SignatureIndex index = SignatureIndex.open(spark, indexSettings, SETTINGS, output);
        DedupResult result = DedupJob.run(spark, frame(dump).repartition(3), SETTINGS, index);
        try {
            Map<String, Row> removed = new TreeMap<>();
            for (Row r : result.removed().collectAsList()) {
                removed.put(r.getAs("id"), r);
            }
            SignatureIndex.Append append = index.stage(result.survivorSignatures());
            String segment = append.commit();
            return new Outcome(ids(result.kept()), removed, result.counters(), result.indexCounters(), append.rows(), segment);
        } finally {
            result.release();
        }
    }

    private static TreeSet<String> indexedIds(String index) {
        return ids(SignatureIndex.open(spark(), IndexSettings.at(index), SETTINGS, null).rows());
    }

    private static TreeSet<String> union(TreeSet<String> a, TreeSet<String> b) {
        TreeSet<String> all = new TreeSet<>(a);
        all.addAll(b);
        return all;
    }

    @Test
    void secondNightRejectsCopiesOfTheFirstAndKeepsFreshDocuments() {
        assertEquals(30, run1.kept().size(), "run 1 removes its own near copy only");
        assertEquals("a-en-0", run1.removed().get("a-en-0x").getAs("duplicate_of"));
        assertEquals(0, run1.index().rows(), "run 1 starts from an empty index");

        Map<String, String> expectedOf = Map.of("b-copy-en-1", "a-en-1", "b-copy-fr-2", "a-fr-2", "b-copy-de-3", "a-de-3",
                "b-near-en-4", "a-en-4", "b-near-fr-5", "a-fr-5", "b-near-de-6", "a-de-6", "b-en-20y", "b-en-20");
        assertEquals(new TreeSet<>(expectedOf.keySet()), new TreeSet<>(run2.removed().keySet()));
        expectedOf.forEach((id, of) -> assertEquals(of, run2.removed().get(id).getAs("duplicate_of"), id));
        for (String id : List.of("b-copy-en-1", "b-copy-fr-2", "b-copy-de-3")) {
            assertEquals(DedupJob.REASON_EXACT, run2.removed().get(id).getAs("reason"), id);
        }
        assertEquals(DedupJob.REASON_NEAR, run2.removed().get("b-near-fr-5").getAs("reason"));
        assertTrue(run2.kept().contains("b-mislabelled-7"), "a copy in another scope is not a duplicate");
        assertEquals(25, run2.kept().size());

        IndexCounters c = run2.index();
        assertEquals(1, c.segments());
        assertEquals(30, c.rows());
        assertEquals(3, c.exactDuplicates());
        assertEquals(3, c.nearDuplicates());
        assertTrue(c.matched() >= 6 && c.matched() < 30, "only indexed rows sharing a key or bucket: " + c.matched());
        assertEquals(25, run2.appended());
        assertEquals(25, run2.counters().kept());
        assertEquals(32, run2.counters().in());
    }

    @Test
    void indexGrowsByExactlyTheSecondNightsSurvivors() throws IOException {
        String index = work.resolve("index").toString();
        assertEquals(union(run1.kept(), run2.kept()), indexedIds(index));
        SignatureIndex opened = SignatureIndex.open(spark(), IndexSettings.at(index), SETTINGS, null);
        assertEquals(55, opened.rowCount());
        assertEquals(List.of(run1.segment(), run2.segment()).stream().sorted().toList(),
                opened.segments().stream().map(SignatureIndex.Segment::name).toList());
        // Stored rows equal the signatures computed afresh, shingle sets included.
        Row stored = opened.rows().where(col("id").equalTo("b-en-21")).first();
        String text = passage("en", 21);
        long[] shingles = SETTINGS.shingler().shingles(TextNormalizer.normalize(text));
        MinHasher hasher = SETTINGS.minHasher();
        assertEquals(Arrays.stream(hasher.bandKeys(hasher.signature(shingles))).boxed().toList(), stored.getList(stored.fieldIndex("bands")));
        assertEquals(Arrays.stream(shingles).boxed().toList(), stored.getList(stored.fieldIndex("shingles")));
        assertEquals("en", stored.getAs("scope"));
        String recorded = Files.readString(work.resolve("index").resolve(SignatureIndex.SETTINGS_FILE));
        assertTrue(recorded.contains("\"dedup.near.bands\" : 14") && recorded.contains("\"dedup.scope_column\" : \"lang\""), recorded);
    }

    @Test
    void resultEqualsOneRunOverTheFirstSurvivorsAndTheSecondDump() {
        // Run 1's ids sort first, so a single run picks the same survivors the index forces.
        List<Row> both = new ArrayList<>();
        for (Row r : dumpA) {
            if (run1.kept().contains(r.getString(0))) {
                both.add(r);
            }
        }
        both.addAll(dumpB);
        DedupResult once = DedupJob.run(spark(), frame(both), SETTINGS);
        try {
            assertEquals(union(run1.kept(), run2.kept()), ids(once.kept()));
            Map<String, String> of = new TreeMap<>();
            for (Row r : once.removed().collectAsList()) {
                of.put(r.getAs("id"), r.getAs("duplicate_of"));
            }
            Map<String, String> incremental = new TreeMap<>();
            run2.removed().forEach((id, r) -> incremental.put(id, r.getAs("duplicate_of")));
            assertEquals(of, incremental);
        } finally {
            once.release();
        }
    }

    @Test
    void differentSignatureSettingsAreRefusedNamingTheSetting() {
        IndexSettings index = IndexSettings.at(work.resolve("index").toString());
        Map<String, DedupSettings> changed = Map.of(
                "dedup.near.bands", SETTINGS.withBanding(20, 8, 1),
                "dedup.near.seed", SETTINGS.withBanding(14, 8, 2),
                "dedup.near.shingle_type", SETTINGS.withShingles(ShingleType.CHAR, 5),
                "dedup.scope_column", DedupSettings.defaults());
        changed.forEach((key, settings) -> {
            ConfigError e = assertThrows(ConfigError.class, () -> SignatureIndex.open(spark(), index, settings, null));
            assertTrue(e.getMessage().startsWith(key + ":"), e.getMessage());
        });
        ConfigError shingles = assertThrows(ConfigError.class,
                () -> SignatureIndex.open(spark(), index.withShingles(false), SETTINGS, null));
        assertTrue(shingles.getMessage().startsWith(IndexSettings.KEY_SHINGLES + ":"), shingles.getMessage());
        // The threshold and the survivor rule are decisions, not signature settings: they may change.
        SignatureIndex.open(spark(), index, SETTINGS.withVerification(Verification.ESTIMATED, 0.7), null);
    }

    @Test
    void interruptedAppendsLeaveTheIndexReadable() throws IOException {
        Path index = copyOf(work.resolve("index"), work.resolve("index-interrupted"));
        IndexSettings settings = IndexSettings.at(index.toString());
        SignatureIndex before = SignatureIndex.open(spark(), settings, SETTINGS, null);

        // A run killed while writing: Parquet in the hidden staging folder, never committed.
        SignatureIndex.Append abandoned = before.stage(before.rows().limit(5));
        assertEquals(5, abandoned.rows());
        // A run killed between moving its segment into place and writing the marker.
        Path half = index.resolve(SignatureIndex.SEGMENTS).resolve("seg-20990101T000000Z-deadbeef");
        copyOf(index.resolve(SignatureIndex.SEGMENTS).resolve(run2.segment()), half);
        Files.delete(half.resolve(SignatureIndex.COMMITTED));
        // A run whose write failed in a task: its append is removed at once.
        UDF1<String, String> failOnOne = id -> {
            if (id.equals("b-en-22")) {
                throw new IllegalStateException("disk full");
            }
            return id;
        };
        Dataset<Row> failing = before.rows().withColumn("id", udf(failOnOne, DataTypes.StringType).apply(col("id")));
        assertThrows(Exception.class, () -> before.stage(failing));
        try (Stream<Path> entries = Files.list(index.resolve(SignatureIndex.SEGMENTS))) {
            assertEquals(1, entries.filter(p -> p.getFileName().toString().startsWith(".")).count(),
                    "the failed append removed itself; the killed one is still there");
        }

        SignatureIndex after = SignatureIndex.open(spark(), settings, SETTINGS, null);
        assertEquals(55, after.rowCount());
        assertEquals(55, after.rows().count());
        assertEquals(2, after.segments().size());
        try (Stream<Path> entries = Files.list(index.resolve(SignatureIndex.SEGMENTS))) {
            assertTrue(entries.noneMatch(p -> p.getFileName().toString().startsWith(".")), "stale appends removed");
        }
        // The next night still appends normally.
        Outcome next = runNight(List.of(doc("c-en-40", passage("en", 30), "en"), doc("c-en-41", passage("en", 1), "en")),
                settings, work.resolve("night-3").toString());
        assertEquals(new TreeSet<>(List.of("c-en-40")), next.kept());
        assertEquals("a-en-1", next.removed().get("c-en-41").getAs("duplicate_of"));
        assertEquals(56, SignatureIndex.open(spark(), settings, SETTINGS, null).rows().count());
    }

    @Test
    void rerunIntoTheSameOutputReplacesItsSegmentAndOtherReuseIsRefused() throws IOException {
        Path index = copyOf(work.resolve("index"), work.resolve("index-rerun"));
        IndexSettings settings = IndexSettings.at(index.toString());
        String night2 = work.resolve("night-2").toString();
        SignatureIndex reopened = SignatureIndex.open(spark(), settings, SETTINGS, night2);
        assertEquals(List.of(run2.segment()), reopened.replacedSegments().stream().map(SignatureIndex.Segment::name).toList());
        assertEquals(30, reopened.rowCount());

        Outcome again = runNight(dumpB, settings, night2);
        assertEquals(run2.kept(), again.kept());
        assertEquals(run2.removed().keySet(), again.removed().keySet());
        assertEquals(union(run1.kept(), run2.kept()), indexedIds(index.toString()));
        assertTrue(Files.notExists(index.resolve(SignatureIndex.SEGMENTS).resolve(run2.segment())));

        ConfigError reused = assertThrows(ConfigError.class,
                () -> runNight(dumpB, settings, work.resolve("night-2-elsewhere").toString()));
        assertTrue(reused.getMessage().startsWith(IndexSettings.KEY_PATH + ":") && reused.getMessage().contains("already in the index"),
                reused.getMessage());
    }

    @Test
    void withoutShingleSetsPairsWithIndexedDocumentsAreVerifiedOnSignatures() {
        // Night 1's rows as an index that keeps signatures only.
        IndexSettings settings = IndexSettings.at(work.resolve("index-signatures").toString()).withShingles(false);
        Dataset<Row> night1 = SignatureIndex.open(spark(), IndexSettings.at(work.resolve("index").toString()), SETTINGS, null)
                .rows().where(col("id").startsWith("a-")).withColumn("shingles", lit(null).cast("array<bigint>"));
        SignatureIndex.open(spark(), settings, SETTINGS, null).stage(night1).commit();

        Outcome second = runNight(dumpB, settings, work.resolve("s-night-2").toString());
        assertEquals(run2.kept(), second.kept());
        Map<String, String> of = new TreeMap<>();
        second.removed().forEach((id, r) -> of.put(id, r.getAs("duplicate_of")));
        Map<String, String> expected = new TreeMap<>();
        run2.removed().forEach((id, r) -> expected.put(id, r.getAs("duplicate_of")));
        assertEquals(expected, of);
        Row stored = SignatureIndex.open(spark(), settings, SETTINGS, null).rows().where(col("id").equalTo("b-en-21")).first();
        assertNull(stored.getAs("shingles"));
        assertEquals(112, stored.getList(stored.fieldIndex("signature")).size());
    }

    private static Path copyOf(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : files.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
        return to;
    }
}
