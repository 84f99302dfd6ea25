package ai.refinery.jobs;

import ai.refinery.core.build.BuildLock;
import ai.refinery.core.output.Json;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * refinery build with the sample plan (conf/plans/sample.conf: filter -> dedup -> tokenizer -> tokenize -> pretrain)
 * on real Europarl prose, on real local Spark: a first build runs every stage, a second skips every stage, a changed
 * setting re-runs its stage and what is downstream of it only, a held lock refuses, a stale one is taken over, and
 * the dedup index carries across dates. Outputs are read back with DuckDB.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BuildCommandTest {
    static final Path CORPORA = Paths.get(System.getProperty("refinery.corpora", "target/corpora"));
    static final Path LANG = CORPORA.resolve("langid/org/apache/tika/langdetect/language-tests");
    static final String DATE1 = "2024-10-01";
    static final String DATE2 = "2024-10-02";
    static final List<String> STAGES = List.of("filter", "dedup", "tokenizer", "tokenize", "pretrain");

    @TempDir
    static Path work;
    static Path root;
    static String samplePlan;

    @BeforeAll
    static void inputs() throws Exception {
        root = work.resolve("builds");
        samplePlan = Files.readString(Paths.get("../conf/plans/sample.conf"));
        List<String> en = chunks(Files.readString(LANG.resolve("en.test"), StandardCharsets.UTF_8), 12);
        // Night 1: eight English documents, an exact and a near copy of two of them, German and French prose.
        List<String> night1 = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            night1.add(doc("n1-en-" + i, en.get(i)));
        }
        night1.add(doc("n1-copy-1", en.get(1)));
        night1.add(doc("n1-near-2", en.get(2).replaceFirst("the ", "this ")));
        night1.add(doc("n1-de", chunks(Files.readString(LANG.resolve("de.test"), StandardCharsets.UTF_8), 4).get(0)));
        night1.add(doc("n1-fr", chunks(Files.readString(LANG.resolve("fr.test"), StandardCharsets.UTF_8), 4).get(0)));
        write(work.resolve("sample1"), night1);
        // Night 2: two documents night 1 kept (new ids: the same pages crawled again) and four new ones.
        List<String> night2 = new ArrayList<>();
        for (int i = 6; i < 12; i++) {
            night2.add(doc("n2-en-" + i, en.get(i)));
        }
        write(work.resolve("sample2"), night2);
    }

    /** The text cut into n pieces of whole lines. */
    static List<String> chunks(String text, int n) {
        String[] lines = text.split("\n");
        List<String> out = new ArrayList<>();
        int per = (lines.length + n - 1) / n;
        for (int i = 0; i < lines.length; i += per) {
            out.add(String.join("\n", java.util.Arrays.copyOfRange(lines, i, Math.min(lines.length, i + per))));
        }
        return out;
    }

    static String doc(String id, String text) {
        return "{\"id\":\"" + id + "\",\"text\":" + FilterCommandTest.jsonString(text) + "}";
    }

    static void write(Path sample, List<String> docs) throws Exception {
        Files.createDirectories(sample.resolve("crawl"));
        Files.createDirectories(sample.resolve("prose"));
        Files.createDirectories(sample.resolve("europarl"));
        Files.writeString(sample.resolve("crawl/docs.jsonl"), String.join("\n", docs) + "\n");
    }

    /** The sample plan reading {@code sample}, with extra HOCON appended (later keys win). */
    static Path plan(String name, String sample, String extra) throws Exception {
        Path plan = work.resolve(name + ".conf");
        Files.writeString(plan, samplePlan + "\nvars.sample = \"" + work.resolve(sample) + "\"\n" + extra + "\n");
        return plan;
    }

    static Cli.Capture build(Path plan, String date, String... extra) {
        List<String> args = new ArrayList<>(List.of("build", "--plan", plan.toString(), "--date", date,
                "--root", root.toString(), "--set", "spark.master=local[2]"));
        args.addAll(List.of(extra));
        Cli.Capture c = Cli.Capture.run(args.toArray(new String[0]));
        System.out.print(c.out()); // the build's own lines (ran / skipped / why, seconds) into the test log
        return c;
    }

    static Map<String, Object> buildJson(String date) throws Exception {
        return Json.readMap(Files.readString(root.resolve(date).resolve("build.json")));
    }

    static Map<String, String> outcomes(String date) throws Exception {
        Map<String, String> out = new LinkedHashMap<>();
        for (Object o : (List<?>) buildJson(date).get("stages")) {
            Map<?, ?> m = (Map<?, ?>) o;
            out.put((String) m.get("stage"), (String) m.get("outcome"));
        }
        return out;
    }

    static Map<String, Object> stats(String date, String stage) throws Exception {
        return Json.readMap(Files.readString(root.resolve(date).resolve(stage).resolve("stats.json")));
    }

    static String fingerprint(String date, String stage) throws Exception {
        return (String) Json.readMap(Files.readString(root.resolve(date).resolve(stage).resolve("fingerprint.json"))).get("fingerprint");
    }

    static FileTime successTime(String date, String stage) throws Exception {
        return Files.getLastModifiedTime(root.resolve(date).resolve(stage).resolve("_SUCCESS"));
    }

    @Test
    @Order(0)
    void theInputsOfEveryCommandAreFingerprintedAndTheIndexIsNot() {
        BuildCommand.Planner planner = new BuildCommand.Planner();
        for (String[] input : new String[][] {{"filter", "input"}, {"tokenize", "tokenizer"}, {"tokenize", "replay"},
                {"pretrain", "data"}, {"sft", "model"}, {"token-shift", "base"}, {"token-shift", "aligned"},
                {"eval-qa", "model"}, {"generate", "input"}}) {
            assertTrue(planner.isInput(input[0], input[1]), String.join(" --", input));
        }
        // The dedup index grows with every run: fingerprinting it would re-run every dedup.
        for (String[] other : new String[][] {{"dedup", "index"}, {"pretrain", "output"}, {"no-such", "input"}}) {
            assertFalse(planner.isInput(other[0], other[1]), String.join(" --", other));
        }
    }

    @Test
    @Order(1)
    void firstBuildRunsEveryStage() throws Exception {
        Cli.Capture c = build(plan("night1", "sample1", ""), DATE1);
        assertEquals(0, c.code(), c.out() + c.err());
        Map<String, String> outcomes = outcomes(DATE1);
        assertEquals(STAGES, new ArrayList<>(outcomes.keySet()), "stages in dependency order");
        outcomes.forEach((stage, outcome) -> assertEquals("ran", outcome, stage));
        assertEquals("finished", buildJson(DATE1).get("outcome"));
        Path day = root.resolve(DATE1);
        for (String stage : STAGES) {
            assertTrue(Files.exists(day.resolve(stage).resolve("_SUCCESS")), stage);
            Map<String, Object> manifest = Json.readMap(Files.readString(day.resolve(stage).resolve("manifest.json")));
            assertEquals(fingerprint(DATE1, stage), manifest.get("fingerprint"), stage + ": the manifest carries the fingerprint");
            assertEquals(stage, manifest.get("command"));
        }
        Cli.assertCounts(day.resolve("filter"), true);
        Cli.assertCounts(day.resolve("dedup"), true);
        Map<String, Object> filter = stats(DATE1, "filter");
        assertEquals(12, ((Number) filter.get("rows_in")).intValue());
        assertTrue(((Map<?, ?>) ((Map<?, ?>) filter.get("rejected")).get("language")).containsKey("language_not_kept"), filter.toString());
        Map<String, Object> dedup = stats(DATE1, "dedup");
        assertTrue(((Number) dedup.get("rows_rejected")).intValue() >= 1, "the exact copy is removed: " + dedup);
        assertEquals(1, Cli.query("SELECT count(*) FROM read_parquet('" + day.resolve("dedup/data")
                + "/*.parquet') WHERE id IN ('n1-copy-1', 'n1-en-1')"), "one of the two copies is kept");
        // The dedup stage ran exactly as 'refinery dedup --index' would: the index is the plan's, shared by dates.
        Map<String, Object> dedupManifest = Json.readMap(Files.readString(day.resolve("dedup/manifest.json")));
        assertTrue(((List<?>) dedupManifest.get("arguments")).contains("--index"), dedupManifest.get("arguments").toString());
        assertTrue(Files.isDirectory(root.resolve("dedup-index/segments")));
        // tokenize read dedup's output and the tokenizer stage's tokenizer; pretrain trained on tokenize's windows.
        assertEquals(((Number) dedup.get("rows_out")).longValue(), ((Number) stats(DATE1, "tokenize").get("rows_in")).longValue());
        assertEquals(30, ((Number) stats(DATE1, "pretrain").get("steps")).intValue());
        assertTrue(Cli.query("SELECT count(*) FROM read_parquet('" + day.resolve("pretrain/metrics") + "/*.parquet')") > 0);
        assertFalse(Files.exists(day.resolve("build.lock")), "the lock is released");
    }

    @Test
    @Order(2)
    void secondBuildSkipsEveryStage() throws Exception {
        Map<String, FileTime> before = new LinkedHashMap<>();
        for (String stage : STAGES) {
            before.put(stage, successTime(DATE1, stage));
        }
        Cli.Capture c = build(plan("night1", "sample1", ""), DATE1);
        assertEquals(0, c.code(), c.out() + c.err());
        outcomes(DATE1).forEach((stage, outcome) -> assertEquals("skipped", outcome, stage));
        for (String stage : STAGES) {
            assertEquals(before.get(stage), successTime(DATE1, stage), stage + " untouched");
        }
        assertTrue(c.out().contains("0 ran, 5 skipped"), c.out());
    }

    @Test
    @Order(3)
    void aChangedSettingRerunsItsStageAndDownstreamOnly() throws Exception {
        Map<String, String> fingerprints = new LinkedHashMap<>();
        for (String stage : STAGES) {
            fingerprints.put(stage, fingerprint(DATE1, stage));
        }
        FileTime tokenizerDone = successTime(DATE1, "tokenizer");
        Cli.Capture c = build(plan("night1-seed", "sample1", "stages.tokenize.settings.pack.seed = 7"), DATE1);
        assertEquals(0, c.code(), c.out() + c.err());
        Map<String, String> outcomes = outcomes(DATE1);
        assertEquals(Map.of("filter", "skipped", "dedup", "skipped", "tokenizer", "skipped", "tokenize", "ran",
                "pretrain", "ran"), outcomes);
        assertTrue(c.out().contains("pack.seed: 42 -> 7"), "the build says what changed: " + c.out());
        assertTrue(c.out().contains("pretrain runs (") && c.out().contains("upstream tokenize)"), c.out());
        assertEquals(tokenizerDone, successTime(DATE1, "tokenizer"));
        assertNotEquals(fingerprints.get("tokenize"), fingerprint(DATE1, "tokenize"));
        assertNotEquals(fingerprints.get("pretrain"), fingerprint(DATE1, "pretrain"));
        assertEquals(fingerprints.get("dedup"), fingerprint(DATE1, "dedup"));
        Map<?, ?> tokenizeConfig = (Map<?, ?>) Json.readMap(Files.readString(root.resolve(DATE1).resolve("tokenize/manifest.json")))
                .get("configuration");
        assertEquals(7, ((Number) ((Map<?, ?>) tokenizeConfig.get("pack")).get("seed")).intValue());
    }

    @Test
    @Order(4)
    void aHeldLockRefusesASecondBuildAndAStaleOneIsTakenOver() throws Exception {
        Path lock = root.resolve(DATE1).resolve("build.lock");
        try (BuildLock held = BuildLock.acquire(new Configuration(), lock.toString(), Map.of("plan", "other"), 1000, 60_000)) {
            Cli.Capture c = build(plan("night1-seed", "sample1", "stages.tokenize.settings.pack.seed = 7"), DATE1);
            assertEquals(2, c.code(), c.out() + c.err());
            assertTrue(c.err().contains("another build of this date is running"), c.err());
            assertTrue(c.err().contains("plan other"), "names the holder: " + c.err());
            assertTrue(Files.exists(lock), "the holder's lock stays");
        }
        assertFalse(Files.exists(lock));
        // A lock left by a build that died: not refreshed for longer than build.lock.stale_after_s.
        Files.writeString(lock, "{\"token\":\"dead\",\"host\":\"gone\",\"pid\":1}");
        Files.setLastModifiedTime(lock, FileTime.fromMillis(System.currentTimeMillis() - 600_000));
        Cli.Capture c = build(plan("night1-seed", "sample1", "stages.tokenize.settings.pack.seed = 7"), DATE1,
                "--set", "build.lock.stale_after_s=120");
        assertEquals(0, c.code(), c.out() + c.err());
        outcomes(DATE1).forEach((stage, outcome) -> assertEquals("skipped", outcome, stage));
        assertFalse(Files.exists(lock));
    }

    @Test
    @Order(5)
    void theDedupIndexCarriesAcrossDates() throws Exception {
        Cli.Capture c = build(plan("night2", "sample2", "stages.tokenize.settings.pack.seed = 7"), DATE2);
        assertEquals(0, c.code(), c.out() + c.err());
        Map<String, Object> dedup = stats(DATE2, "dedup");
        assertEquals(2, ((Number) dedup.get("index_exact_duplicates")).intValue(), dedup.toString());
        Path rejected = root.resolve(DATE2).resolve("dedup/rejected");
        assertEquals(List.of("n1-en-6", "n1-en-7"), duplicateOf(rejected), "duplicates of what night 1 kept");
    }

    static List<String> duplicateOf(Path rejected) throws Exception {
        List<String> out = new ArrayList<>();
        try (var conn = java.sql.DriverManager.getConnection("jdbc:duckdb:"); var s = conn.createStatement();
             var rs = s.executeQuery("SELECT duplicate_of FROM read_parquet('" + rejected + "/*.parquet') ORDER BY 1")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    @Test
    @Order(6)
    void aBadSettingInAnyStageIsExit2BeforeAnythingRuns() throws Exception {
        Cli.Capture c = build(plan("bad", "sample1", "stages.pretrain.settings.train.max_stepz = 3"), "2024-10-03");
        assertEquals(2, c.code(), c.out() + c.err());
        assertTrue(c.err().contains("stages.pretrain") && c.err().contains("train.max_stepz"), c.err());
        assertFalse(Files.exists(root.resolve("2024-10-03").resolve("filter")), "nothing ran");

        // A stage that fails at run time: build.json says so, the stages after it do not run, the exit code is its own.
        Cli.Capture failed = build(plan("missing", "sample1", "stages.filter.input = [\"" + work.resolve("no-such-crawl") + "\"]"),
                "2024-10-04");
        assertEquals(3, failed.code(), failed.out() + failed.err());
        assertEquals("failed", buildJson("2024-10-04").get("outcome"));
        assertEquals(Map.of("filter", "failed", "dedup", "not_run", "tokenizer", "not_run", "tokenize", "not_run",
                "pretrain", "not_run"), outcomes("2024-10-04"));
        assertFalse(Files.exists(root.resolve("2024-10-04").resolve("build.lock")), "the lock is released after a failure");

        Cli.Capture cycle = build(plan("cycle", "sample1", "stages.filter.input = \"stage:pretrain\""), "2024-10-03");
        assertEquals(2, cycle.code());
        assertTrue(cycle.err().contains("cycle"), cycle.err());

        Cli.Capture missing = build(plan("ref", "sample1", "stages.tokenize.tokenizer = \"stage:tokeniser\""), "2024-10-03");
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("no stage tokeniser"), missing.err());
    }

    @Test
    @Order(7)
    void theReportShowsEveryChartWithTheNumbersOfStatsJson() throws Exception {
        Path html = work.resolve("report.html");
        Cli.Capture c = Cli.Capture.run("report", root.resolve(DATE1).toString(), "--output", html.toString(),
                "--set", "spark.master=local[2]");
        assertEquals(0, c.code(), c.out() + c.err());
        ReportChecks.assertMatchesStats(html, root.resolve(DATE1), STAGES);
        Cli.Capture again = Cli.Capture.run("report", root.resolve(DATE1).toString(), "--output", html.toString(),
                "--set", "spark.master=local[2]");
        assertEquals(2, again.code(), "an existing report is not replaced without --overwrite");
        ReportChecks.assertRendersInChromium(html, work.resolve("chromium"));
    }

    @Test
    @Order(8)
    void theReportOfOneStageFolder() throws Exception {
        Path html = work.resolve("dedup.html");
        Cli.Capture c = Cli.Capture.run("report", root.resolve(DATE2).resolve("dedup").toString(), "--output", html.toString(),
                "--set", "spark.master=local[2]");
        assertEquals(0, c.code(), c.out() + c.err());
        var doc = org.jsoup.Jsoup.parse(html.toFile(), "UTF-8");
        assertEquals(1, doc.select("svg[data-chart=clusters]").size());
        Cli.Capture none = Cli.Capture.run("report", work.resolve("nothing-here").toString(), "--output",
                work.resolve("x.html").toString(), "--set", "spark.master=local[2]");
        assertEquals(3, none.code(), none.err());
    }

    @Test
    @Order(9)
    void anUnfinishedTrainingRunOfTheSameFingerprintIsResumed() throws Exception {
        // As a killed build leaves it: checkpoints, no _SUCCESS.
        Files.delete(root.resolve(DATE1).resolve("pretrain/_SUCCESS"));
        Cli.Capture c = build(plan("night1-seed", "sample1", "stages.tokenize.settings.pack.seed = 7"), DATE1);
        assertEquals(0, c.code(), c.out() + c.err());
        assertTrue(c.out().contains("pretrain runs (output not finished: resuming from its checkpoints)"), c.out());
        assertEquals(Map.of("filter", "skipped", "dedup", "skipped", "tokenizer", "skipped", "tokenize", "skipped",
                "pretrain", "ran"), outcomes(DATE1));
        Map<String, Object> pretrain = stats(DATE1, "pretrain");
        assertEquals(30, ((Number) pretrain.get("resumed_from_step")).intValue(), pretrain.toString());
        assertEquals(30, ((Number) pretrain.get("steps")).intValue());
    }
}
