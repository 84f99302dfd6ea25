package ai.refinery.jobs;

import ai.refinery.core.output.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shaded jar spark-submitted to a real Spark standalone cluster (bin/cluster: a master and two workers on
 * loopback, each its own JVM, executors in their own JVMs), against embedded local mode: the same outputs; a
 * killed executor JVM mid-stage still gives the same output; a killed driver resumes to the same step.
 *
 * <p>Run with {@code bin/cluster test} (it builds the jar first); it is not part of {@code mvn verify}, which
 * runs before the jar exists and on machines where a cluster of JVMs does not fit.
 */
@EnabledIfSystemProperty(named = "refinery.cluster", matches = "true")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {
    static final Path ROOT = Paths.get("").toAbsolutePath().getParent();
    static final Path CORPORA = Paths.get(System.getProperty("refinery.corpora", "target/corpora")).toAbsolutePath();
    static final String LOCAL = "--set=spark.master=local[2]";
    static final String TINY = ROOT.resolve("conf/model-tiny.conf").toString();
    static final List<String> PRETRAIN = List.of("--conf", TINY, "--set", "train.max_steps=12", "--set", "train.workers=2",
            "--set", "train.batch_size_per_worker=4", "--set", "train.averaging_frequency=2", "--set", "train.eval_every=4",
            "--set", "train.checkpoint_every=2", "--set", "train.warmup_steps=2", "--set", "train.seed=11");

    static Path work;
    static Path clusterDir;
    static int port;

    @BeforeAll
    static void startCluster() throws Exception {
        work = Files.createTempDirectory(ROOT.resolve("jobs/target").toAbsolutePath(), "cluster-it");
        clusterDir = work.resolve("cluster");
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Process start = cluster(work.resolve("start.log"), "start");
        assertEquals(0, start.waitFor(), Files.readString(work.resolve("start.log")));
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (clusterDir != null) {
            cluster(work.resolve("stop.log"), "stop").waitFor(2, TimeUnit.MINUTES);
        }
    }

    @Test
    @Order(1)
    void filterAndDedupOnTheClusterEqualEmbeddedLocalMode() throws Exception {
        Path input = crawlInput();
        List<String> filter = List.of("filter", "--input", input.toString(), "--set", "filter.language.keep=[]");
        Path onCluster = work.resolve("filter-cluster");
        Path embedded = work.resolve("filter-local");
        submitAndWait("filter", concat(filter, "--output", onCluster.toString()));
        local(concat(filter, "--output", embedded.toString(), LOCAL));
        assertSameDocuments(embedded, onCluster);
        assertSameCounts(embedded, onCluster);

        Path dedupCluster = work.resolve("dedup-cluster");
        Path dedupLocal = work.resolve("dedup-local");
        submitAndWait("dedup", List.of("dedup", "--input", onCluster.toString(), "--output", dedupCluster.toString()));
        local(List.of("dedup", "--input", embedded.toString(), "--output", dedupLocal.toString(), LOCAL));
        assertSameDocuments(dedupLocal, dedupCluster);
        assertSameCounts(dedupLocal, dedupCluster);
    }

    @Test
    @Order(2)
    void tokenizeAndPretrainOnTheClusterEqualEmbeddedLocalMode() throws Exception {
        Path packedCluster = work.resolve("packed-cluster");
        submitAndWait("tokenize", concat(tokenizeArgs(), "--output", packedCluster.toString()));
        assertEquals(digest("SELECT md5(string_agg(window_id::VARCHAR || ':' || tokens::VARCHAR, ';' ORDER BY window_id)) FROM "
                + parquet(packed(), "data/**")), digest("SELECT md5(string_agg(window_id::VARCHAR || ':' || tokens::VARCHAR, ';'"
                + " ORDER BY window_id)) FROM " + parquet(packedCluster, "data/**")), "the same windows");

        Path runCluster = work.resolve("run-cluster");
        submitAndWait("pretrain", concat(concat(List.of("pretrain", "--data", packedCluster.toString()), PRETRAIN),
                "--output", runCluster.toString()));
        assertSameTraining(uninterrupted(), runCluster, 1e-4);
    }

    @Test
    @Order(3)
    void killingAnExecutorMidStageGivesTheSameOutput() throws Exception {
        Path input = crawlInput();
        List<String> filter = List.of("filter", "--input", input.toString(), "--set", "filter.language.keep=[]",
                "--set", "spark.sql.shuffle.partitions=8");
        Path embedded = work.resolve("filter-local");
        Path onCluster = work.resolve("filter-killed-executor");
        Process driver = submit("filter-killed-executor", concat(filter, "--output", onCluster.toString()));
        Path log = work.resolve("filter-killed-executor.log");
        // Once tasks are running and some have finished, kill one executor JVM outright.
        awaitOrFail(() -> count(log, "Finished task") >= 2, Duration.ofMinutes(8), driver, log);
        ProcessHandle executor = executors().findFirst().orElseThrow(() -> new AssertionError("no executor JVM found"));
        executor.destroyForcibly();
        assertTrue(driver.waitFor(15, TimeUnit.MINUTES), "the job ends");
        assertEquals(0, driver.exitValue(), tail(log));
        assertTrue(count(log, "Lost executor") + count(log, "ExecutorLostFailure") + count(log, "Removed executor") >= 1,
                "the driver saw the executor die");
        assertSameDocuments(embedded, onCluster);
        assertSameCounts(embedded, onCluster);
    }

    @Test
    @Order(4)
    void killingThePretrainDriverAndResumingReachesTheUninterruptedStep() throws Exception {
        List<String> pretrain = concat(concat(List.of("pretrain", "--data", packed().toString()), PRETRAIN),
                "--output", work.resolve("run-killed").toString());
        Process driver = submit("pretrain-killed", pretrain);
        Path checkpoints = work.resolve("run-killed/checkpoints");
        Path log = work.resolve("pretrain-killed.log");
        awaitOrFail(() -> newestCheckpoint(checkpoints) >= 4, Duration.ofMinutes(10), driver, log);
        driver.destroyForcibly().waitFor();
        assertTrue(!Files.exists(work.resolve("run-killed/_SUCCESS")), "killed before the end");
        submitAndWait("pretrain-resumed", concat(pretrain, "--resume"));
        assertSameTraining(uninterrupted(), work.resolve("run-killed"), 1e-3);
    }

    // --- the runs ---------------------------------------------------------------------------------------------

    /** The windows of embedded local mode (made on first use, so that each test can run alone). */
    private static Path packed() throws IOException {
        Path packed = work.resolve("packed-local");
        if (!Files.exists(packed)) {
            local(concat(tokenizeArgs(), "--output", packed.toString(), LOCAL));
        }
        return packed;
    }

    private static List<String> tokenizeArgs() throws IOException {
        Path bios = bios();
        Path tokenizer = work.resolve("tokenizer");
        if (!Files.exists(tokenizer)) {
            local(List.of("tokenizer", "--input", bios.toString(), "--output", tokenizer.toString(),
                    "--set", "tokenizer.vocab_size=300", LOCAL));
        }
        return List.of("tokenize", "--input", bios.toString(), "--tokenizer", tokenizer.toString(),
                "--conf", TINY, "--set", "pack.validation_fraction=0.1");
    }

    /** The uninterrupted pretraining run in embedded local mode. */
    private static Path uninterrupted() throws IOException {
        Path run = work.resolve("run-local");
        if (!Files.exists(run)) {
            local(concat(concat(List.of("pretrain", "--data", packed().toString()), PRETRAIN), "--output", run.toString(), LOCAL));
        }
        return run;
    }

    private static Path crawlInput() throws IOException {
        Path input = work.resolve("crawl");
        if (!Files.exists(input)) {
            Files.createDirectories(input);
            Path warc = CORPORA.resolve("warc/test-documents");
            Files.copy(warc.resolve("cc.warc.gz"), input.resolve("cc.warc.gz"));
            Files.copy(warc.resolve("testWARC_multiple.warc"), input.resolve("multiple.warc"));
            Path prose = CORPORA.resolve("langid/org/apache/tika/langdetect/language-tests");
            try (Stream<Path> files = Files.list(prose)) {
                for (Path f : files.toList()) {
                    Files.copy(f, input.resolve(f.getFileName() + ".txt"));
                    // The same prose again under another name: exact duplicates for dedup.
                    Files.copy(f, input.resolve("copy-" + f.getFileName() + ".txt"));
                }
            }
        }
        return input;
    }

    private static Path bios() {
        Path bios = work.resolve("bios");
        if (!Files.exists(bios)) {
            local(List.of("bios", "--people", "150", "--seed", "5", "--output", bios.toString(), LOCAL));
        }
        return bios;
    }

    private static void local(List<String> args) {
        Cli.Capture c = Cli.Capture.run(args.toArray(String[]::new));
        assertEquals(0, c.code(), String.join(" ", args) + "\n" + c.err());
    }

    private static Process cluster(Path log, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("bash", ROOT.resolve("bin/cluster").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.put("REFINERY_CLUSTER_DIR", clusterDir.toString());
        env.put("REFINERY_CLUSTER_PORT", Integer.toString(port));
        env.put("REFINERY_CLUSTER_UI_PORT", "0");
        return pb.start();
    }

    private static Process submit(String name, List<String> args) throws IOException {
        List<String> all = new ArrayList<>(List.of("submit"));
        all.addAll(args);
        return cluster(work.resolve(name + ".log"), all.toArray(String[]::new));
    }

    private static void submitAndWait(String name, List<String> args) throws Exception {
        Process p = submit(name, args);
        assertTrue(p.waitFor(20, TimeUnit.MINUTES), name + " ends");
        assertEquals(0, p.exitValue(), tail(work.resolve(name + ".log")));
    }

    /** The executor JVMs the workers started (the workers' child processes). */
    private static Stream<ProcessHandle> executors() throws IOException {
        List<ProcessHandle> found = new ArrayList<>();
        try (Stream<Path> pids = Files.list(clusterDir)) {
            for (Path pid : pids.filter(p -> p.getFileName().toString().matches("worker-\\d+\\.pid")).toList()) {
                Optional<ProcessHandle> worker = ProcessHandle.of(Long.parseLong(Files.readString(pid).trim()));
                worker.ifPresent(w -> w.children().filter(c -> c.info().commandLine().orElse("")
                        .contains("CoarseGrainedExecutorBackend")).forEach(found::add));
            }
        }
        return found.stream();
    }

    private static void awaitOrFail(BooleanSupplier condition, Duration timeout, Process driver, Path log)
            throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (!driver.isAlive()) {
                throw new AssertionError("the job ended before the fault could be injected:\n" + tail(log));
            }
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting:\n" + tail(log));
            }
            Thread.sleep(200);
        }
    }

    /** The step of the newest complete checkpoint (state.json written), -1 when none. */
    private static long newestCheckpoint(Path checkpoints) {
        try (Stream<Path> dirs = Files.list(checkpoints)) {
            return dirs.filter(d -> d.getFileName().toString().matches("step-\\d+") && Files.exists(d.resolve("state.json")))
                    .mapToLong(d -> Long.parseLong(d.getFileName().toString().substring("step-".length())))
                    .max().orElse(-1);
        } catch (IOException | java.io.UncheckedIOException e) {
            return -1;
        }
    }

    private static long count(Path log, String text) {
        try (Stream<String> lines = Files.lines(log)) {
            return lines.filter(l -> l.contains(text)).count();
        } catch (IOException | java.io.UncheckedIOException e) {
            return 0;
        }
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    // --- comparisons ------------------------------------------------------------------------------------------

    private static void assertSameDocuments(Path expected, Path actual) throws Exception {
        for (String folder : List.of("data", "rejected")) {
            if (!Files.isDirectory(expected.resolve(folder))) {
                continue;
            }
            String sql = "SELECT count(*)::VARCHAR || md5(string_agg(%s, chr(1) ORDER BY id, %s)) FROM %s";
            String columns = folder.equals("data") ? "id || chr(2) || text" : "id || chr(2) || reason";
            assertEquals(digest(String.format(sql, columns, columns, parquet(expected, folder))),
                    digest(String.format(sql, columns, columns, parquet(actual, folder))), folder + "/ of " + actual.getFileName());
        }
    }

    private static void assertSameCounts(Path expected, Path actual) throws Exception {
        Map<String, Object> e = Json.readMap(Files.readString(expected.resolve("stats.json")));
        Map<String, Object> a = Json.readMap(Files.readString(actual.resolve("stats.json")));
        for (String key : List.of("rows_in", "rows_out", "rows_rejected", "rejected")) {
            assertEquals(e.get(key), a.get(key), key);
        }
    }

    /** The same last step and tokens, and validation losses within {@code tolerance} at every evaluation. */
    private static void assertSameTraining(Path expected, Path actual, double tolerance) throws Exception {
        String last = "SELECT max(step)::VARCHAR || '/' || max(tokens)::VARCHAR FROM " + parquet(expected, "metrics");
        assertEquals(digest(last), digest(last.replace(parquet(expected, "metrics"), parquet(actual, "metrics"))),
                "the same last step and tokens");
        List<double[]> e = validation(expected);
        List<double[]> a = validation(actual);
        assertEquals(e.size(), a.size(), "the same evaluations");
        assertTrue(!e.isEmpty());
        for (int i = 0; i < e.size(); i++) {
            assertEquals(e.get(i)[0], a.get(i)[0], "step");
            assertEquals(e.get(i)[1], a.get(i)[1], tolerance, "validation loss at step " + (long) e.get(i)[0]);
        }
    }

    private static List<double[]> validation(Path run) throws Exception {
        List<double[]> rows = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT DISTINCT step, val_loss FROM " + parquet(run, "metrics")
                     + " WHERE val_loss IS NOT NULL ORDER BY step")) {
            while (rs.next()) {
                rows.add(new double[] {rs.getLong(1), rs.getDouble(2)});
            }
        }
        return rows;
    }

    private static String parquet(Path output, String folder) {
        return "read_parquet('" + output.resolve(folder) + File.separator + "*.parquet')";
    }

    private static String digest(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            assertTrue(rs.next());
            return rs.getString(1);
        }
    }

    private static List<String> concat(List<String> first, String... more) {
        List<String> all = new ArrayList<>(first);
        all.addAll(List.of(more));
        return all;
    }

    private static List<String> concat(List<String> first, List<String> more) {
        List<String> all = new ArrayList<>(first);
        all.addAll(more);
        return all;
    }
}
