package ai.refinery.jobs;

import ai.refinery.core.output.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The filter job end to end through the command-line entry point, on real Common Crawl records and real
 * multilingual prose, with broken inputs mixed in; outputs are read back with DuckDB, an independent Parquet
 * reader.
 */
class FilterCommandTest {
    static final Path CORPORA = Paths.get(System.getProperty("refinery.corpora", "target/corpora"));
    static final String LOCAL = "--set=spark.master=local[2]";

    @TempDir
    static Path work;
    static Path input;
    static Path output;
    static int exitCode;
    static String stdout;

    @BeforeAll
    static void runFilterOnceOnAMixedInput() throws Exception {
        input = work.resolve("in");
        Files.createDirectories(input.resolve("crawl"));
        Path warcDocs = CORPORA.resolve("warc/test-documents");
        Files.copy(warcDocs.resolve("cc.warc.gz"), input.resolve("crawl/cc.warc.gz"));
        Files.copy(warcDocs.resolve("testWARC_multiple.warc"), input.resolve("crawl/multiple.warc"));
        // Truncated per-record gzip: the records before the cut survive, the cut one is counted.
        byte[] cc = Files.readAllBytes(warcDocs.resolve("cc.warc.gz"));
        Files.write(input.resolve("crawl/truncated.warc.gz"), java.util.Arrays.copyOf(cc, cc.length * 2 / 3));
        // Real prose in 16 languages as plain-text files: only English passes language ID.
        Path langTests = CORPORA.resolve("langid/org/apache/tika/langdetect/language-tests");
        Files.createDirectories(input.resolve("prose"));
        try (var files = Files.list(langTests)) {
            for (Path f : files.toList()) {
                Files.copy(f, input.resolve("prose/" + f.getFileName() + ".txt"));
            }
        }
        // JSONL with a broken line and a given id.
        String english = Files.readString(langTests.resolve("en.test"), StandardCharsets.UTF_8);
        Files.writeString(input.resolve("docs.jsonl"), "{\"id\":\"given-1\",\"text\":" + jsonString(english)
                + ",\"url\":\"https://example.com/a\"}\n{not json\n{\"text\":\"short\"}\n");
        Files.write(input.resolve("empty.jsonl"), new byte[0]);
        // Named .gz but not gzip: readers go by the bytes, so its one line is read (and rejected) as JSONL.
        Files.writeString(input.resolve("misnamed.jsonl.gz"), "this is not gzip");
        // Hidden and underscore files are not inputs.
        Files.writeString(input.resolve("_ignored.txt"), "x");
        Files.writeString(input.resolve(".hidden.txt"), "x");

        output = work.resolve("out");
        Cli.Capture capture = Cli.Capture.run("filter", "--input", input.toString(), "--output", output.toString(), LOCAL);
        exitCode = capture.code();
        stdout = capture.out() + capture.err();
    }

    static String jsonString(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    @Test
    void succeedsAndWritesTheWholeContract() {
        assertEquals(0, exitCode, stdout);
        for (String name : List.of("data", "rejected", "stats.json", "manifest.json", "_SUCCESS")) {
            assertTrue(Files.exists(output.resolve(name)), name);
        }
        assertTrue(stdout.contains("documents in"), stdout);
    }

    @Test
    void accountingClosesAndEveryRejectionHasAReason() throws Exception {
        Map<String, Object> stats = Json.readMap(Files.readString(output.resolve("stats.json")));
        long in = ((Number) stats.get("rows_in")).longValue();
        long kept = Cli.query("SELECT count(*) FROM read_parquet('" + output.resolve("data") + "/*.parquet')");
        long rejected = Cli.query("SELECT count(*) FROM read_parquet('" + output.resolve("rejected") + "/*.parquet')");
        assertEquals(in, kept + rejected);
        Cli.assertCounts(output, true);
        assertEquals(0, Cli.query("SELECT count(*) FROM read_parquet('" + output.resolve("rejected")
                + "/*.parquet') WHERE stage IS NULL OR reason IS NULL"));
        // 16 prose files + 1 JSONL line with text + broken JSONL line + short JSONL line + WARC responses.
        assertTrue(in >= 19, "documents in: " + in);
        assertTrue(kept >= 2, "at least the English prose and the English JSONL document survive: " + kept);
        assertEquals(2, Cli.query("SELECT count(*) FROM read_parquet('" + output.resolve("rejected")
                + "/*.parquet') WHERE reason = 'unreadable' AND format = 'jsonl'"), "the two broken JSONL lines");
        assertTrue(Cli.query("SELECT count(*) FROM read_parquet('" + output.resolve("rejected")
                + "/*.parquet') WHERE stage = 'language'") >= 14, "non-English prose is rejected by language ID");
    }

    @Test
    void everyInputFileIsListedAndNoneWasUnopenable() throws Exception {
        Map<String, Object> stats = Json.readMap(Files.readString(output.resolve("stats.json")));
        assertEquals(List.of(), stats.get("unreadable_files"));
        // 3 crawl files + 16 prose files + docs.jsonl + empty.jsonl + misnamed.jsonl.gz; hidden ones skipped
        assertEquals(22, ((Number) stats.get("input_files")).intValue());
    }

    @Test
    void outputSchemaIsTheDocumentedOne() throws Exception {
        Map<String, String> data = Cli.schema(output.resolve("data"));
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("id", "VARCHAR");
        expected.put("text", "VARCHAR");
        expected.put("url", "VARCHAR");
        expected.put("source", "VARCHAR");
        expected.put("format", "VARCHAR");
        expected.put("record_id", "VARCHAR");
        expected.put("fetch_time", "VARCHAR");
        expected.put("lang", "VARCHAR");
        expected.put("lang_score", "DOUBLE");
        expected.put("scores", "MAP(VARCHAR, DOUBLE)");
        assertEquals(expected, data);
        Map<String, String> rejected = Cli.schema(output.resolve("rejected"));
        expected.put("stage", "VARCHAR");
        expected.put("reason", "VARCHAR");
        expected.put("detail", "VARCHAR");
        assertEquals(expected, rejected);
    }

    @Test
    void keptRowsCarryLanguageAndStableIds() throws Exception {
        assertEquals(0, Cli.query("SELECT count(*) FROM read_parquet('" + output.resolve("data")
                + "/*.parquet') WHERE lang IS NULL OR lang_score < 0.65 OR id IS NULL"));
        assertEquals(1, Cli.query("SELECT count(*) FROM read_parquet('" + output.resolve("data")
                + "/*.parquet') WHERE id = 'given-1' AND url = 'https://example.com/a' AND lang = 'en'"));
        long ids = Cli.query("SELECT count(DISTINCT id) FROM read_parquet('" + output.resolve("data") + "/*.parquet')");
        long rows = Cli.query("SELECT count(*) FROM read_parquet('" + output.resolve("data") + "/*.parquet')");
        assertEquals(rows, ids, "ids are unique");
    }

    @Test
    void parquetIsZstdCompressed() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT DISTINCT compression FROM parquet_metadata('" + output.resolve("data")
                     + "/*.parquet')")) {
            assertTrue(rs.next());
            assertEquals("ZSTD", rs.getString(1));
        }
    }

    @Test
    void manifestRecordsWhatRan() throws Exception {
        Map<String, Object> manifest = Json.readMap(Files.readString(output.resolve("manifest.json")));
        assertEquals("filter", manifest.get("command"));
        for (String key : List.of("arguments", "configuration", "inputs", "versions", "started_at", "finished_at", "counts")) {
            assertTrue(manifest.containsKey(key), key);
        }
    }

    @Test
    void existingOutputIsRefusedWithExit2() {
        Cli.Capture again = Cli.Capture.run("filter", "--input", input.resolve("docs.jsonl").toString(), "--output",
                output.toString(), LOCAL);
        assertEquals(2, again.code());
        assertTrue(again.err().contains("--overwrite"), again.err());
    }

    @Test
    void unknownSettingIsExit2NamingTheKey() {
        Cli.Capture bad = Cli.Capture.run("filter", "--input", input.toString(), "--output", work.resolve("x").toString(),
                "--set", "filter.gopher_quality.min_wordz=3");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("filter.gopher_quality.min_wordz"), bad.err());
        assertFalse(Files.exists(work.resolve("x")));
    }

    @Test
    void badDefinitionsValueIsExit2NamingTheKey() {
        Cli.Capture bad = Cli.Capture.run("filter", "--input", input.toString(), "--output", work.resolve("y").toString(),
                "--set", "filter.definitions=papers");
        assertEquals(2, bad.code(), bad.err());
        assertTrue(bad.err().contains("filter.definitions"), bad.err());
        assertFalse(Files.exists(work.resolve("y")));
    }

    @Test
    void badValueIsExit2NamingTheKey() {
        Cli.Capture bad = Cli.Capture.run("filter", "--input", input.toString(), "--output", work.resolve("y").toString(),
                "--set", "filter.language.threshold=1.5");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("filter.language.threshold"), bad.err());
    }

    @Test
    void missingRequiredOptionIsExit2() {
        Cli.Capture bad = Cli.Capture.run("filter", "--input", input.toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--output"), bad.err());
    }

    @Test
    void emptyInputIsExit3AndLeavesNoOutput() throws Exception {
        Path empty = work.resolve("empty-in");
        Files.createDirectories(empty);
        Files.write(empty.resolve("nothing.jsonl"), new byte[0]);
        Cli.Capture none = Cli.Capture.run("filter", "--input", empty.toString(), "--output", work.resolve("z").toString(), LOCAL);
        assertEquals(3, none.code(), none.err());
        assertFalse(Files.exists(work.resolve("z")));
        Cli.Capture missing = Cli.Capture.run("filter", "--input", work.resolve("no-such-dir").toString(), "--output",
                work.resolve("z").toString(), LOCAL);
        assertEquals(3, missing.code(), missing.err());
    }

    @Test
    void helpListsCommandsAndOptions() {
        Cli.Capture top = Cli.Capture.run("--help");
        assertEquals(0, top.code());
        assertTrue(top.out().contains("filter"), top.out());
        Cli.Capture filter = Cli.Capture.run("filter", "--help");
        assertEquals(0, filter.code());
        for (String option : List.of("--input", "--output", "--conf", "--set", "--overwrite")) {
            assertTrue(filter.out().contains(option), option);
        }
    }

    @Test
    void sameIdsWhateverThePartitioningOfParquetInput() throws Exception {
        // The kept documents, as Parquet without an id column, read once as one split and once as many.
        Path pq = work.resolve("pq-in");
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
            Files.createDirectories(pq);
            s.execute("COPY (SELECT text, url FROM read_parquet('" + output.resolve("rejected") + "/*.parquet') WHERE text <> '' "
                    + "UNION ALL SELECT text, url FROM read_parquet('" + output.resolve("data") + "/*.parquet')) TO '"
                    + pq.resolve("docs.parquet") + "' (FORMAT PARQUET, ROW_GROUP_SIZE 2)");
        }
        // An embedded session is reused across commands in this JVM, so both runs set the split size explicitly.
        Cli.Capture one = Cli.Capture.run("filter", "--input", pq.toString(), "--output", work.resolve("pq-one").toString(), LOCAL,
                "--set", "spark.conf.\"spark.sql.files.maxPartitionBytes\"=134217728");
        Cli.Capture many = Cli.Capture.run("filter", "--input", pq.toString(), "--output", work.resolve("pq-many").toString(), LOCAL,
                "--set", "spark.conf.\"spark.sql.files.maxPartitionBytes\"=2048");
        assertEquals(0, one.code(), one.err());
        assertEquals(0, many.code(), many.err());
        Set<String> a = Cli.ids(work.resolve("pq-one/data"));
        Set<String> b = Cli.ids(work.resolve("pq-many/data"));
        assertFalse(a.isEmpty());
        assertEquals(a, b);
        assertEquals(Cli.ids(work.resolve("pq-one/rejected")), Cli.ids(work.resolve("pq-many/rejected")));
    }

}
