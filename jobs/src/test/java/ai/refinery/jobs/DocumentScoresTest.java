package ai.refinery.jobs;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The scores column end to end: the same real prose filtered once with every stage deciding, once with the
 * measures kept and C4's rules only scoring. Read back with DuckDB.
 */
class DocumentScoresTest {
    static final Path CORPORA = Paths.get(System.getProperty("refinery.corpora", "target/corpora"));
    static final String STAGES = "--set=filter.stages=[language,gopher_quality,c4_quality]";

    @TempDir
    static Path work;
    static Path deciding;
    static Path scoring;

    @BeforeAll
    static void filterTwice() throws Exception {
        Path input = work.resolve("in");
        Files.createDirectories(input);
        Path langTests = CORPORA.resolve("langid/org/apache/tika/langdetect/language-tests");
        try (var files = Files.list(langTests)) {
            for (Path f : files.toList()) {
                Files.copy(f, input.resolve(f.getFileName() + ".txt"));
            }
        }
        // English prose that passes Gopher but not C4 (its lorem ipsum rule).
        String english = Files.readString(langTests.resolve("en.test"), StandardCharsets.UTF_8);
        Files.writeString(input.resolve("lorem.txt"), english + "\n\nLorem ipsum dolor sit amet.");

        deciding = work.resolve("deciding");
        scoring = work.resolve("scoring");
        List<String> common = List.of("--input", input.toString(), "--set=spark.master=local[2]", STAGES,
                "--set=filter.language.keep=[]");
        assertEquals(0, run(common, "--output", deciding.toString()).code());
        assertEquals(0, run(common, "--output", scoring.toString(), "--set=filter.scores.keep_measures=true",
                "--set=filter.scores.score_only=[c4_quality]").code());
    }

    private static Cli.Capture run(List<String> common, String... more) {
        List<String> args = new ArrayList<>(List.of("filter"));
        args.addAll(common);
        args.addAll(List.of(more));
        Cli.Capture capture = Cli.Capture.run(args.toArray(String[]::new));
        assertEquals(0, capture.code(), capture.err());
        return capture;
    }

    private static String parquet(Path output, String folder) {
        return "read_parquet('" + output.resolve(folder) + "/*.parquet')";
    }

    @Test
    void scoresIsAMapOfNumbers() throws Exception {
        assertEquals("MAP(VARCHAR, DOUBLE)", Cli.schema(scoring.resolve("data")).get("scores"));
        assertEquals(0, Cli.query("SELECT count(*) FROM " + parquet(deciding, "data") + " WHERE scores IS NOT NULL"),
                "nothing is recorded unless asked");
    }

    @Test
    void aScoreOnlyStageKeepsWhatItWouldHaveDroppedAndMarksIt() throws Exception {
        long c4Rejected = Cli.query("SELECT count(*) FROM " + parquet(deciding, "rejected") + " WHERE stage = 'c4_quality'");
        assertTrue(c4Rejected >= 1, "the lorem ipsum document is dropped by C4 when it decides");
        long keptDeciding = Cli.query("SELECT count(*) FROM " + parquet(deciding, "data"));
        assertEquals(keptDeciding + c4Rejected, Cli.query("SELECT count(*) FROM " + parquet(scoring, "data")));
        // The documents C4 marks as kept are exactly those the deciding run kept.
        assertEquals(Cli.ids(deciding.resolve("data")), ids("SELECT id FROM " + parquet(scoring, "data")
                + " WHERE map_extract(scores, 'c4_quality.kept')[1] = 1"));
        assertEquals(c4Rejected, Cli.query("SELECT count(*) FROM " + parquet(scoring, "data")
                + " WHERE map_extract(scores, 'c4_quality.kept')[1] = 0"));
    }

    @Test
    void measuredValuesAgreeWithTheThresholds() throws Exception {
        // Every kept document passed Gopher's rules, so it carries all of its values, within the thresholds.
        assertEquals(0, Cli.query("SELECT count(*) FROM " + parquet(scoring, "data")
                + " WHERE map_extract(scores, 'gopher_quality.words')[1] IS NULL OR map_extract(scores, 'gopher_quality.words')[1] < 50"
                + " OR map_extract(scores, 'gopher_quality.alpha_words_ratio')[1] < 0.8 OR map_extract(scores, 'gopher_quality.stop_words')[1] < 2"));
        // A document rejected for too few words carries the count that failed.
        long tooFew = Cli.query("SELECT count(*) FROM " + parquet(scoring, "rejected") + " WHERE reason = 'too_few_words'");
        assertEquals(tooFew, Cli.query("SELECT count(*) FROM " + parquet(scoring, "rejected")
                + " WHERE reason = 'too_few_words' AND map_extract(scores, 'gopher_quality.words')[1] < 50"));
    }

    private static java.util.Set<String> ids(String sql) throws Exception {
        java.util.Set<String> ids = new java.util.HashSet<>();
        try (var c = java.sql.DriverManager.getConnection("jdbc:duckdb:"); var s = c.createStatement();
             var rs = s.executeQuery(sql)) {
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
        }
        return ids;
    }
}
