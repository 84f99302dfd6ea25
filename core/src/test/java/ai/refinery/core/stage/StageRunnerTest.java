package ai.refinery.core.stage;

import ai.refinery.core.config.ConfigError;
import ai.refinery.core.config.Settings;
import ai.refinery.core.outcome.Counts;
import ai.refinery.core.output.Json;
import ai.refinery.core.output.Layout;
import ai.refinery.core.output.OutputPolicy;
import ai.refinery.core.output.OutputSettings;
import com.typesafe.config.Config;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The runner's lifecycle, without Spark: stages that write text files through the output. */
class StageRunnerTest {
    private final List<String> events = new ArrayList<>();
    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private final StageRunner runner = new StageRunner((name, config) -> {
        throw new AssertionError("Spark must not start");
    }, new PrintStream(printed, true, StandardCharsets.UTF_8));

    /** A stage writing one text file; {@code failure} makes run() throw after writing it. */
    private class TextStage implements Stage {
        private final Kind kind;
        private final RuntimeException failure;

        TextStage(Kind kind, RuntimeException failure) {
            this.kind = kind;
            this.failure = failure;
        }

        @Override
        public void check(Config config) {
            events.add("check");
            OutputSettings.files(config);
        }

        @Override
        public Kind kind() {
            return kind;
        }

        @Override
        public boolean usesSpark() {
            return false;
        }

        @Override
        public StageResult run(StageContext context) {
            events.add("run");
            if (kind == Kind.RUN_FOLDER) {
                context.output().writeText(Layout.CHECKPOINTS + "/step-1", "weights");
            } else {
                context.output().writeText("part.txt", "rows");
            }
            if (failure != null) {
                throw failure;
            }
            return StageResult.of(Counts.of(5, 3, Map.of("demo", Map.of("too_short", 2L))), Map.of("widgets", 7),
                    "5 in, 3 out");
        }

        @Override
        public void afterCommit(String target) {
            events.add("afterCommit");
        }

        @Override
        public void afterAbort() {
            events.add("afterAbort");
        }
    }

    private static StageRunner.Request request(Path out, OutputPolicy policy, String... settings) {
        return new StageRunner.Request("demo", List.of("--output", out.toString()), Settings.load(null, List.of(settings)),
                out.toString(), policy);
    }

    @Test
    void aStageOutputCarriesTheCommonCountsAndCommitsWithSuccessLast(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out");
        StageRunner.Finished done = runner.run(new TextStage(Stage.Kind.STAGE_OUTPUT, null), request(out, OutputPolicy.REFUSE));
        assertEquals(List.of("check", "run", "afterCommit"), events);
        assertTrue(Files.exists(out.resolve(Layout.SUCCESS)));
        assertEquals("rows", Files.readString(out.resolve("part.txt")));
        Map<String, Object> stats = Json.readMap(Files.readString(out.resolve(Layout.STATS)));
        assertEquals(List.of("rows_in", "rows_out", "rows_rejected", "rejected", "widgets"), List.copyOf(stats.keySet()));
        assertEquals(5, ((Number) stats.get("rows_in")).intValue());
        assertEquals(2, ((Number) stats.get("rows_rejected")).intValue());
        assertEquals(Map.of("demo", Map.of("too_short", 2)), stats.get("rejected"));
        Map<String, Object> manifest = Json.readMap(Files.readString(out.resolve(Layout.MANIFEST)));
        assertEquals("finished", manifest.get("outcome"));
        assertEquals(stats, manifest.get("counts"));
        assertTrue(done.result().counts().closes());
        assertTrue(printed.toString(StandardCharsets.UTF_8).startsWith("demo: 5 in, 3 out -> "), printed.toString());
    }

    @Test
    void aBadSettingFailsInCheckBeforeSparkOrAnyOutput(@TempDir Path dir) {
        Path out = dir.resolve("out");
        Stage stage = new TextStage(Stage.Kind.STAGE_OUTPUT, null) {
            @Override
            public boolean usesSpark() {
                return true; // the engine throws an AssertionError if it is ever asked for Spark
            }
        };
        ConfigError e = assertThrows(ConfigError.class,
                () -> runner.run(stage, request(out, OutputPolicy.REFUSE, "output.files=-1")));
        assertTrue(e.getMessage().contains("output.files"), e.getMessage());
        assertEquals(List.of("check"), events);
        assertFalse(Files.exists(out));
    }

    @Test
    void aFailedStageLeavesNoOutputAndUndoesItsPreparations(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out");
        IllegalStateException boom = new IllegalStateException("boom");
        assertEquals(boom, assertThrows(IllegalStateException.class,
                () -> runner.run(new TextStage(Stage.Kind.STAGE_OUTPUT, boom), request(out, OutputPolicy.REFUSE))));
        assertEquals(List.of("check", "run", "afterAbort"), events);
        try (var left = Files.list(dir)) {
            assertEquals(0, left.count(), "neither the target nor a staging folder");
        }
    }

    @Test
    void aRunFolderIsRefusedThenResumedInPlaceOrStartedOver(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("run");
        runner.run(new TextStage(Stage.Kind.RUN_FOLDER, null), request(run, OutputPolicy.REFUSE));
        assertTrue(Files.exists(run.resolve("checkpoints/step-1")));
        assertTrue(Files.exists(run.resolve(Layout.SUCCESS)));
        assertFalse(Files.exists(run.resolve(Layout.REJECTED)));
        assertEquals(5, ((Number) ((Map<?, ?>) Json.readMap(Files.readString(run.resolve(Layout.MANIFEST)))
                .get("counts")).get("rows_in")).intValue());

        ConfigError refused = assertThrows(ConfigError.class,
                () -> runner.run(new TextStage(Stage.Kind.RUN_FOLDER, null), request(run, OutputPolicy.REFUSE)));
        assertTrue(refused.getMessage().contains("--resume"), refused.getMessage());

        Files.writeString(run.resolve("checkpoints/step-0"), "older");
        IllegalStateException diverged = new IllegalStateException("loss is NaN at step 2");
        assertThrows(IllegalStateException.class,
                () -> runner.run(new TextStage(Stage.Kind.RUN_FOLDER, diverged), request(run, OutputPolicy.RESUME)));
        assertTrue(Files.exists(run.resolve("checkpoints/step-0")), "a resumed run keeps the earlier checkpoints");
        assertFalse(Files.exists(run.resolve(Layout.SUCCESS)), "a failed resumed run does not look finished");
        assertTrue(((String) Json.readMap(Files.readString(run.resolve(Layout.MANIFEST))).get("outcome"))
                .contains("loss is NaN"));

        runner.run(new TextStage(Stage.Kind.RUN_FOLDER, null), request(run, OutputPolicy.OVERWRITE));
        assertFalse(Files.exists(run.resolve("checkpoints/step-0")), "--overwrite starts over");
        assertTrue(Files.exists(run.resolve(Layout.SUCCESS)));
    }

    @Test
    void aStageOutputCannotBeResumed(@TempDir Path dir) {
        assertThrows(IllegalArgumentException.class, () -> runner.run(new TextStage(Stage.Kind.STAGE_OUTPUT, null),
                request(dir.resolve("out"), OutputPolicy.RESUME)));
    }

    @Test
    void aFigureMayNotReuseACommonKey(@TempDir Path dir) {
        Stage stage = new TextStage(Stage.Kind.STAGE_OUTPUT, null) {
            @Override
            public StageResult run(StageContext context) {
                return StageResult.of(Counts.of(1, 1), Map.of("rows_in", 1), "x");
            }
        };
        assertThrows(IllegalArgumentException.class, () -> runner.run(stage, request(dir.resolve("out"), OutputPolicy.REFUSE)));
        assertFalse(Files.exists(dir.resolve("out")));
    }
}
