package ai.refinery.pipeline.spark;

import ai.refinery.core.config.NoInputError;
import ai.refinery.core.config.Settings;
import ai.refinery.core.output.OutputPolicy;
import ai.refinery.core.spark.SparkSessions;
import ai.refinery.core.stage.StageResult;
import ai.refinery.core.stage.StageRunner;
import ai.refinery.core.output.Json;
import ai.refinery.pipeline.read.InputFiles;
import ai.refinery.pipeline.read.SourceFormat;
import com.typesafe.config.Config;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Spark layer of the filter job on cases the command-line test cannot stage: files that vanish. */
class FilterJobTest {
    static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = SparkSessions.create("test", Settings.load(null, List.of("spark.master=local[2]")));
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    static Config config() {
        // Only the stages that need no language model: the Spark layer is under test here, not the filters.
        return Settings.load(null, List.of("filter.stages=[gopher_quality]", "filter.gopher_quality.min_words=3"));
    }

    @Test
    void aFileThatCannotBeOpenedIsNamedInStatsAndTheRestIsProcessed(@TempDir Path dir) throws Exception {
        Path good = dir.resolve("good.jsonl");
        Files.writeString(good, "{\"text\":\"the cat sat on the mat with the hat\"}\n{\"text\":\"no\"}\n");
        String vanished = dir.resolve("deleted-after-listing.jsonl").toUri().toString();
        InputFiles.Resolution inputs = new InputFiles.Resolution(List.of(
                new InputFiles.InputFile(good.toUri().toString(), SourceFormat.JSONL, Files.size(good)),
                new InputFiles.InputFile(vanished, SourceFormat.JSONL, 100)), List.of());
        Path out = dir.resolve("out");
        StageResult report = run(new FilterJob(List.of("unused"), inputs), out, config());

        assertEquals(2, report.counts().rowsIn());
        assertEquals(1, report.counts().rowsOut());
        assertEquals(1, report.counts().rowsRejected());
        assertEquals(1, report.counts().rejected("gopher_quality", "too_few_words"));
        List<?> unreadable = (List<?>) report.figures().get("unreadable_files");
        assertEquals(1, unreadable.size());
        assertEquals(vanished, ((Map<?, ?>) unreadable.get(0)).get("source"));
        Map<String, Object> stats = Json.readMap(Files.readString(out.resolve("stats.json")));
        assertEquals(unreadable, stats.get("unreadable_files"));
        assertEquals(2, ((Number) stats.get("rows_in")).intValue());
        assertEquals(Map.of("gopher_quality", Map.of("too_few_words", 1)), stats.get("rejected"));
        Dataset<Row> rejected = spark.read().parquet(out.resolve("rejected").toString());
        assertEquals(1, rejected.count(), "the vanished file is not a document");
        assertEquals("too_few_words", rejected.first().getAs("reason"));
    }

    @Test
    void onlyUnopenableFilesIsNoReadableInputAndLeavesNoOutput(@TempDir Path dir) {
        InputFiles.Resolution inputs = new InputFiles.Resolution(List.of(
                new InputFiles.InputFile(dir.resolve("gone.warc.gz").toUri().toString(), SourceFormat.WARC, 10)), List.of());
        Path out = dir.resolve("out");
        NoInputError e = assertThrows(NoInputError.class, () -> run(new FilterJob(List.of("unused"), inputs), out, config()));
        assertTrue(e.getMessage().contains("gone.warc.gz"), e.getMessage());
        assertFalse(Files.exists(out));
        try (var left = Files.list(dir)) {
            assertEquals(0, left.count(), "no staging folder is left behind");
        } catch (java.io.IOException io) {
            throw new AssertionError(io);
        }
    }

    @Test
    void outputIsTheSameWhateverTheNumberOfFilesAndTheirOrder(@TempDir Path dir) throws Exception {
        StringBuilder a = new StringBuilder();
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            // every fifth document is too short for gopher_quality (min_words = 3), the rest pass
            String text = i % 5 == 0 ? "short " + i : "the story of document number " + i + " " + "word ".repeat(i % 7) + "ends here";
            String line = "{\"text\":\"" + text + "\"}\n";
            (i % 2 == 0 ? a : b).append(line);
        }
        Files.writeString(dir.resolve("a.jsonl"), a);
        Files.writeString(dir.resolve("b.jsonl"), b);
        Config config = config();
        run(new FilterJob(List.of(dir.resolve("a.jsonl") + "," + dir.resolve("b.jsonl"))), dir.resolve("out1"), config);
        run(new FilterJob(List.of(dir.resolve("b.jsonl").toString(), dir.resolve("a.jsonl").toString())), dir.resolve("out2"),
                Settings.load(null, List.of("filter.stages=[gopher_quality]", "filter.gopher_quality.min_words=3",
                        "output.files=1")));
        for (String part : List.of("data", "rejected")) {
            List<Row> one = spark.read().parquet(dir.resolve("out1/" + part).toString()).orderBy("id").collectAsList();
            List<Row> two = spark.read().parquet(dir.resolve("out2/" + part).toString()).orderBy("id").collectAsList();
            assertEquals(one, two, part);
            assertFalse(one.isEmpty(), part);
        }
    }

    /** Runs the stage through the one runner, on this test's session. */
    static StageResult run(FilterJob job, Path out, Config config) throws Exception {
        return new StageRunner((name, c) -> spark, System.out)
                .run(job, new StageRunner.Request("filter", List.of(), config, out.toString(), OutputPolicy.REFUSE))
                .result();
    }
}
