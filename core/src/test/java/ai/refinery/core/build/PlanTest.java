package ai.refinery.core.build;

import ai.refinery.core.config.ConfigError;
import ai.refinery.core.config.Settings;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Plans, fingerprints and the build lock: plain Java, no Spark. */
class PlanTest {
    @TempDir
    Path tmp;

    static final String PLAN = """
            vars { crawl = "in" }
            settings { filter.language.keep = [en] }
            stages {
              tokenize { command = tokenize, input = "stage:dedup", tokenizer = "stage:tok", settings { pack.seed = 3 } }
              dedup { command = dedup, input = "stage:filter", index = ${root}/index }
              filter { command = filter, input = [${vars.crawl}/${date}, other] }
              tok { command = tokenizer, input = "stage:dedup" }
            }
            """;

    @Test
    void stagesComeAfterWhatTheyRead() {
        Plan plan = Plan.parse(PLAN, "p.conf", "/r", "2024-01-01");
        assertEquals(List.of("filter", "dedup", "tok", "tokenize"), plan.stages().stream().map(Plan.Entry::name).toList());
        Plan.Entry filter = plan.stages().get(0);
        assertEquals(List.of("in/2024-01-01", "other"), filter.options().get("input"));
        assertEquals(List.of("/r/index"), plan.stages().get(1).options().get("index"));
        assertEquals(List.of("dedup", "tok"), plan.stages().get(3).upstream());
        assertEquals(3, plan.stages().get(3).settings().getInt("pack.seed"));
        assertEquals(List.of("en"), plan.settings().getStringList("filter.language.keep"));
        assertEquals(Set.of("dedup", "tok", "tokenize"), plan.downstreamOf("filter"));
        assertEquals(Set.of("tokenize"), plan.downstreamOf("tok"));
    }

    @Test
    void mistakesAreConfigErrorsNamingThePlace() {
        assertTrue(assertThrows(ConfigError.class, () -> Plan.parse("stages { a { command = filter, input = \"stage:b\" }, "
                + "b { command = dedup, input = \"stage:a\" } }", "p", "/r", "d")).getMessage().contains("cycle"));
        assertTrue(assertThrows(ConfigError.class, () -> Plan.parse("stages { a { command = filter, input = \"stage:x\" } }",
                "p", "/r", "d")).getMessage().contains("no stage x"));
        assertTrue(assertThrows(ConfigError.class, () -> Plan.parse("stages { a { input = x } }", "p", "/r", "d"))
                .getMessage().contains("stages.a.command"));
        assertTrue(assertThrows(ConfigError.class, () -> Plan.parse("stages { a { command = filter, output = x } }",
                "p", "/r", "d")).getMessage().contains("stages.a.output"));
        assertTrue(assertThrows(ConfigError.class, () -> Plan.parse("stage { a { command = filter } }", "p", "/r", "d"))
                .getMessage().contains("'stage'"));
        assertTrue(assertThrows(ConfigError.class, () -> Plan.parse("root = x\nstages { a { command = filter } }", "p", "/r", "d"))
                .getMessage().contains("--root"));
        assertTrue(assertThrows(ConfigError.class, () -> Plan.parse("stages { \"a/b\" { command = filter } }", "p", "/r", "d"))
                .getMessage().contains("stage name"));
    }

    @Test
    void theSamplePlanParses() {
        Plan plan = Plan.load(Path.of("../conf/plans/sample.conf").toFile(), "/r", "2024-10-01");
        assertEquals(List.of("filter", "dedup", "tokenizer", "tokenize", "pretrain"),
                plan.stages().stream().map(Plan.Entry::name).toList());
        assertEquals(List.of("/r/dedup-index"), plan.stages().get(1).options().get("index"));
    }

    @Test
    void theFingerprintFollowsSettingsFilesAndUpstreamButNotTheMaster() throws Exception {
        Path in = Files.createDirectories(tmp.resolve("in/sub"));
        Files.writeString(in.resolve("a.txt"), "hello");
        Files.writeString(tmp.resolve("in/.hidden"), "x");
        Configuration conf = new Configuration();
        List<String> listing = Fingerprint.listing(conf, tmp.resolve("in").toString());
        assertEquals(1, listing.size(), listing.toString());
        assertTrue(listing.get(0).startsWith("sub/a.txt 5 "), listing.toString());

        var settings = Settings.load(null, List.of());
        Map<String, List<String>> options = Map.of("input", List.of("in"));
        Fingerprint base = Fingerprint.of("filter", options, settings, Map.of("--input in", listing), Map.of(), "1");
        assertEquals(base.hash(), Fingerprint.of("filter", options, Settings.load(null, List.of("spark.master=local[2]")),
                Map.of("--input in", listing), Map.of(), "1").hash(), "spark.master does not change a result");
        Fingerprint seeded = Fingerprint.of("filter", options, Settings.load(null, List.of("pack.seed=7")),
                Map.of("--input in", listing), Map.of(), "1");
        assertNotEquals(base.hash(), seeded.hash());
        assertEquals(List.of("settings (pack.seed: 42 -> 7)"), seeded.differences(Fingerprint.parse(base.toJson())));
        assertTrue(base.differences(Fingerprint.parse(base.toJson())).isEmpty());
        assertEquals(List.of("no readable fingerprint.json"), base.differences(Fingerprint.parse(null)));
        assertEquals(List.of("no readable fingerprint.json"), base.differences(Fingerprint.parse("{not json")));

        Files.setLastModifiedTime(in.resolve("a.txt"), FileTime.fromMillis(1_000_000));
        List<String> touched = Fingerprint.listing(conf, tmp.resolve("in").toString());
        Fingerprint later = Fingerprint.of("filter", options, settings, Map.of("--input in", touched), Map.of(), "1");
        assertEquals(List.of("files of --input in"), later.differences(Fingerprint.parse(base.toJson())));
        Fingerprint upstream = Fingerprint.of("filter", options, settings, Map.of("--input in", listing), Map.of("a", "x"), "1");
        assertEquals(List.of("upstream a"), upstream.differences(Fingerprint.parse(base.toJson())));
    }

    @Test
    void theLockIsExclusiveUntilReleasedOrStale() throws Exception {
        Configuration conf = new Configuration();
        String path = tmp.resolve("d/build.lock").toString();
        try (BuildLock first = BuildLock.acquire(conf, path, Map.of("plan", "one"), 1000, 60_000)) {
            BuildLock.HeldError e = assertThrows(BuildLock.HeldError.class,
                    () -> BuildLock.acquire(conf, path, Map.of("plan", "two"), 1000, 60_000));
            assertTrue(e.getMessage().contains("plan one"), e.getMessage());
            // The heartbeat keeps it fresh, so even a short staleness limit does not take it over.
            long before = Files.getLastModifiedTime(Path.of(path)).toMillis();
            Thread.sleep(1500);
            assertTrue(Files.getLastModifiedTime(Path.of(path)).toMillis() > before, "refreshed");
        }
        assertFalse(Files.exists(Path.of(path)), "released");
        Files.writeString(Path.of(path), "{\"token\":\"dead\"}");
        Files.setLastModifiedTime(Path.of(path), FileTime.fromMillis(System.currentTimeMillis() - 120_000));
        try (BuildLock taken = BuildLock.acquire(conf, path, Map.of("plan", "three"), 1000, 60_000)) {
            assertTrue(Files.readString(Path.of(path)).contains("three"));
        }
    }
}
