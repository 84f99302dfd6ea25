package ai.refinery.jobs;

import ai.refinery.core.output.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two nightly dedup runs through the command line sharing one --index, on Europarl passages; outputs and the
 * index read back with DuckDB.
 */
class DedupIndexCommandTest {
    static final String LOCAL = "--set=spark.master=local[2]";
    /**
     * A few dozen documents: a handful of shuffle partitions instead of 200 per stage, and no code generation
     * or adaptive re-planning, which cost more than they save on data this small (results are the same).
     */
    static final String SMALL = "--set=spark.conf={\"spark.sql.shuffle.partitions\"=4,"
            + "\"spark.sql.adaptive.enabled\"=false,\"spark.sql.codegen.wholeStage\"=false}";

    @TempDir
    Path work;

    private static List<String> passages() throws Exception {
        Path dir = Path.of("target/corpora/langid/org/apache/tika/langdetect/language-tests");
        List<String> passages = new ArrayList<>();
        for (String lang : List.of("en", "de")) {
            List<String> words = Arrays.asList(Files.readString(dir.resolve(lang + ".test"), StandardCharsets.UTF_8).trim().split("\\s+"));
            for (int start = 0; start + 80 <= words.size() && passages.size() < (lang.equals("en") ? 15 : 30); start += 80) {
                passages.add(String.join(" ", words.subList(start, start + 80)));
            }
        }
        return passages;
    }

    /** A Parquet dump of (id, text) rows, written by DuckDB. */
    private Path dump(String name, List<String[]> docs) throws Exception {
        Path dir = Files.createDirectories(work.resolve(name));
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE docs (id VARCHAR, text VARCHAR)");
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO docs VALUES (?, ?)")) {
                for (String[] d : docs) {
                    insert.setString(1, d[0]);
                    insert.setString(2, d[1]);
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            s.execute("COPY docs TO '" + dir.resolve("docs.parquet") + "' (FORMAT PARQUET)");
        }
        return dir;
    }

    private static String oneWordChanged(String text) {
        List<String> w = new ArrayList<>(Arrays.asList(text.split(" ")));
        w.set(40, "zqx" + w.get(40));
        return String.join(" ", w);
    }

    private static Map<String, Object> stats(Path output) throws Exception {
        return Json.readMap(Files.readString(output.resolve("stats.json")));
    }

    private static long stat(Map<String, Object> stats, String key) {
        return ((Number) stats.get(key)).longValue();
    }

    @Test
    void nightlyRunsAgainstOneIndex() throws Exception {
        List<String> p = passages();
        List<String[]> night1 = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            night1.add(new String[] {String.format("n1-%02d", i), p.get(i)});
        }
        List<String[]> night2 = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            night2.add(new String[] {"n2-copy-" + i, p.get(i).toUpperCase(java.util.Locale.ROOT)});
        }
        for (int i = 3; i < 5; i++) {
            night2.add(new String[] {"n2-near-" + i, oneWordChanged(p.get(i))});
        }
        for (int i = 20; i < 25; i++) {
            night2.add(new String[] {"n2-fresh-" + i, p.get(i)});
        }
        Path index = work.resolve("dedup-index");
        Path out1 = work.resolve("night-1");
        Cli.Capture r1 = Cli.Capture.run("dedup", "--input", dump("dump-1", night1).toString(), "--output", out1.toString(),
                "--index", index.toString(), LOCAL, SMALL);
        assertEquals(0, r1.code(), r1.out() + r1.err());
        assertEquals(20, stat(stats(out1), "index_appended"));
        assertEquals(0, stat(stats(out1), "index_rows"));
        assertTrue(Files.exists(index.resolve("index.json")));

        Path dump2 = dump("dump-2", night2);
        Path out2 = work.resolve("night-2");
        Cli.Capture r2 = Cli.Capture.run("dedup", "--input", dump2.toString(), "--output", out2.toString(),
                "--index", index.toString(), LOCAL, SMALL);
        assertEquals(0, r2.code(), r2.out() + r2.err());
        Map<String, Object> s2 = stats(out2);
        assertEquals(20, stat(s2, "index_rows"));
        assertEquals(3, stat(s2, "index_exact_duplicates"));
        assertEquals(2, stat(s2, "index_near_duplicates"));
        assertEquals(5, stat(s2, "index_appended"));
        assertEquals(5, stat(s2, "rows_out"));
        String rejected = "read_parquet('" + out2.resolve("rejected") + "/*.parquet')";
        assertEquals(5, Cli.query("SELECT count(*) FROM " + rejected + " WHERE stage = 'dedup' AND duplicate_of = "
                + "'n1-0' || substr(id, length(id), 1)"), "each copy points at the night-1 document it copies");
        assertEquals(Cli.ids(out2.resolve("data")).size(), 5);
        assertTrue(Cli.ids(out2.resolve("data")).stream().allMatch(id -> id.startsWith("n2-fresh-")));
        String indexRows = "read_parquet('" + index.resolve("segments") + "/*/*.parquet')";
        assertEquals(25, Cli.query("SELECT count(DISTINCT id) FROM " + indexRows));
        assertEquals(25, Cli.query("SELECT count(*) FROM " + indexRows));
        Map<?, ?> manifestIndex = (Map<?, ?>) Json.readMap(Files.readString(out2.resolve("manifest.json"))).get("index");
        assertEquals(1, ((List<?>) manifestIndex.get("segments_read")).size());
        assertTrue(Files.exists(index.resolve("segments").resolve((String) manifestIndex.get("segment_appended")).resolve("_COMMITTED")));

        // Signatures made with other settings cannot be compared: refused, naming the setting.
        Cli.Capture other = Cli.Capture.run("dedup", "--input", dump2.toString(), "--output", work.resolve("night-x").toString(),
                "--index", index.toString(), "--set", "dedup.near.rows=9", LOCAL, SMALL);
        assertEquals(2, other.code(), other.out() + other.err());
        assertTrue(other.err().contains("dedup.near.rows"), other.err());
        assertTrue(Files.notExists(work.resolve("night-x")));
        assertEquals(25, Cli.query("SELECT count(*) FROM " + indexRows));
    }
}
