package ai.refinery.pipeline.spark;

import ai.refinery.core.config.NoInputError;
import ai.refinery.core.config.Settings;
import ai.refinery.core.spark.SparkSessions;
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
        FilterJob.Report report = FilterJob.run(spark, request(out), inputs);

        assertEquals(2, report.documentsIn());
        assertEquals(1, report.documentsKept());
        assertEquals(1, report.documentsRejected());
        assertEquals(1, report.unreadableFiles().size());
        assertEquals(vanished, report.unreadableFiles().get(0).get("source"));
        Map<String, Object> stats = Json.readMap(Files.readString(out.resolve("stats.json")));
        assertEquals(report.unreadableFiles(), stats.get("unreadable_files"));
        Dataset<Row> rejected = spark.read().parquet(out.resolve("rejected").toString());
        assertEquals(1, rejected.count(), "the vanished file is not a document");
        assertEquals("too_few_words", rejected.first().getAs("reason"));
    }

    @Test
    void onlyUnopenableFilesIsNoReadableInputAndLeavesNoOutput(@TempDir Path dir) {
        InputFiles.Resolution inputs = new InputFiles.Resolution(List.of(
                new InputFiles.InputFile(dir.resolve("gone.warc.gz").toUri().toString(), SourceFormat.WARC, 10)), List.of());
        Path out = dir.resolve("out");
        NoInputError e = assertThrows(NoInputError.class, () -> FilterJob.run(spark, request(out), inputs));
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
        FilterJob.run(spark, new FilterJob.Request(List.of(dir.resolve("a.jsonl") + "," + dir.resolve("b.jsonl")),
                dir.resolve("out1").toString(), false, config, "filter", List.of()));
        FilterJob.run(spark, new FilterJob.Request(List.of(dir.resolve("b.jsonl").toString(), dir.resolve("a.jsonl").toString()),
                dir.resolve("out2").toString(), false, Settings.load(null, List.of("filter.stages=[gopher_quality]",
                "filter.gopher_quality.min_words=3", "output.files=1")), "filter", List.of()));
        for (String part : List.of("data", "rejected")) {
            List<Row> one = spark.read().parquet(dir.resolve("out1/" + part).toString()).orderBy("id").collectAsList();
            List<Row> two = spark.read().parquet(dir.resolve("out2/" + part).toString()).orderBy("id").collectAsList();
            assertEquals(one, two, part);
            assertFalse(one.isEmpty(), part);
        }
    }

    static FilterJob.Request request(Path out) {
        return new FilterJob.Request(List.of("unused"), out.toString(), false, config(), "filter", List.of());
    }
}
