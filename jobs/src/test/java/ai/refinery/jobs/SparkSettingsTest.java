package ai.refinery.jobs;

import ai.refinery.core.output.Json;
import ai.refinery.core.spark.ShufflePartitions;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Spark properties under their own names, and the shuffle partition count that follows the input. */
class SparkSettingsTest {
    @TempDir
    static Path work;

    private static Cli.Capture filter(String output, String... extra) throws Exception {
        Path in = work.resolve("docs.jsonl");
        if (!Files.exists(in)) {
            Files.writeString(in, "{\"text\":\"the cat sat on the mat with the hat\"}\n{\"text\":\"no\"}\n");
        }
        String[] args = new String[7 + extra.length];
        String[] base = {"filter", "--input", in.toString(), "--output", work.resolve(output).toString(),
                "--set=spark.master=local[2]", "--set=filter.stages=[gopher_quality]"};
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        return Cli.Capture.run(args);
    }

    private static String partitions() {
        return SparkSession.active().conf().get(ShufflePartitions.KEY);
    }

    @Test
    void aSparkPropertyUnderItsOwnNameIsAcceptedAndApplied() throws Exception {
        Cli.Capture r = filter("own-name", "--set", "spark.sql.shuffle.partitions=8");
        assertEquals(0, r.code(), r.out() + r.err());
        assertEquals("8", partitions());
        Map<?, ?> configuration = (Map<?, ?>) Json.readMap(Files.readString(work.resolve("own-name/manifest.json")))
                .get("configuration");
        assertEquals(8, ((Number) ((Map<?, ?>) ((Map<?, ?>) configuration.get("spark")).get("conf"))
                .get("spark.sql.shuffle.partitions")).intValue(), "recorded where spark.conf keeps it");

        Cli.Capture quoted = filter("quoted", "--set", "spark.conf.\"spark.sql.shuffle.partitions\"=6");
        assertEquals(0, quoted.code(), quoted.out() + quoted.err());
        assertEquals("6", partitions());
    }

    @Test
    void unsetTheCountFollowsTheInput() throws Exception {
        Cli.Capture r = filter("auto");
        assertEquals(0, r.code(), r.out() + r.err());
        // a few bytes of input on local[2]: the floor of two partitions per core
        assertEquals(String.valueOf(ShufflePartitions.forInput(100, 2)), partitions());
        assertEquals("4", partitions());
    }

    @Test
    void aBadSettingIsExit2AndWritesNothing() throws Exception {
        Cli.Capture r = filter("bad", "--set", "filter.gopher_quality.min_words=many");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("filter.gopher_quality.min_words"), r.err());
        assertFalse(Files.exists(work.resolve("bad")));
    }
}
