package ai.refinery.jobs;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs commands in-process and reads their Parquet outputs with DuckDB, an independent reader. */
final class Cli {
    private Cli() {
    }

    static Set<String> ids(Path folder) throws SQLException {
        Set<String> ids = new HashSet<>();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id FROM read_parquet('" + folder + "/*.parquet')")) {
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
        }
        return ids;
    }

    static long query(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            assertTrue(rs.next());
            return rs.getLong(1);
        }
    }

    static Map<String, String> schema(Path folder) throws SQLException {
        Map<String, String> columns = new LinkedHashMap<>();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("DESCRIBE SELECT * FROM read_parquet('" + folder + "/*.parquet')")) {
            while (rs.next()) {
                columns.put(rs.getString("column_name"), rs.getString("column_type"));
            }
        }
        return columns;
    }

    /**
     * Checks the common counts of a stage output: stats.json and the manifest's counts carry rows_in, rows_out and
     * rows_rejected, the same in both; rows_out is data/'s row count, rows_rejected rejected/'s (0 without one) and
     * the sum of the by-stage-and-reason counts; with {@code closes}, rows_in = rows_out + rows_rejected.
     */
    static void assertCounts(Path output, boolean closes) throws Exception {
        Map<String, Object> stats = ai.refinery.core.output.Json.readMap(java.nio.file.Files.readString(output.resolve("stats.json")));
        Map<?, ?> counts = (Map<?, ?>) ai.refinery.core.output.Json.readMap(
                java.nio.file.Files.readString(output.resolve("manifest.json"))).get("counts");
        for (String key : List.of("rows_in", "rows_out", "rows_rejected", "rejected")) {
            assertTrue(stats.containsKey(key), "stats.json lacks " + key + ": " + stats.keySet());
            org.junit.jupiter.api.Assertions.assertEquals(stats.get(key), counts.get(key), "manifest counts " + key);
        }
        long in = ((Number) stats.get("rows_in")).longValue();
        long out = ((Number) stats.get("rows_out")).longValue();
        long rejected = ((Number) stats.get("rows_rejected")).longValue();
        long byReason = 0;
        for (Object reasons : ((Map<?, ?>) stats.get("rejected")).values()) {
            for (Object n : ((Map<?, ?>) reasons).values()) {
                byReason += ((Number) n).longValue();
            }
        }
        org.junit.jupiter.api.Assertions.assertEquals(rejected, byReason, "rows_rejected is the sum by stage and reason");
        java.nio.file.Path data = output.resolve("data");
        if (java.nio.file.Files.isDirectory(data)) {
            org.junit.jupiter.api.Assertions.assertEquals(out, query("SELECT count(*) FROM read_parquet('" + data
                    + "/**/*.parquet')"), "rows_out is data/'s row count");
        }
        java.nio.file.Path rejectedDir = output.resolve("rejected");
        org.junit.jupiter.api.Assertions.assertEquals(rejected, java.nio.file.Files.isDirectory(rejectedDir)
                ? query("SELECT count(*) FROM read_parquet('" + rejectedDir + "/*.parquet')") : 0,
                "rows_rejected is rejected/'s row count");
        if (closes) {
            org.junit.jupiter.api.Assertions.assertEquals(in, out + rejected, "rows_in = rows_out + rows_rejected");
        }
    }

    /** Runs the CLI in-process and captures its output streams. */
    record Capture(int code, String out, String err) {
        static Capture run(String... args) {
            PrintStream oldOut = System.out;
            PrintStream oldErr = System.err;
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            List<String> all = new ArrayList<>(List.of(args));
            try {
                System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
                System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
                int code = Refinery.execute(all.toArray(new String[0]));
                return new Capture(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
            } finally {
                System.setOut(oldOut);
                System.setErr(oldErr);
            }
        }
    }

}
