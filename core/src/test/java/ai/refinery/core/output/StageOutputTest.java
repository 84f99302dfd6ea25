package ai.refinery.core.output;

import ai.refinery.core.config.ConfigError;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StageOutputTest {
    private final Configuration conf = new Configuration();

    @Test
    void commitMovesEverythingIntoPlaceWithSuccessLast(@TempDir Path dir) throws Exception {
        Path target = dir.resolve("out");
        StageOutput out = StageOutput.open(target.toString(), false, conf);
        out.writeText(Layout.STATS, "{}");
        assertFalse(Files.exists(target), "nothing is visible at the target before commit");
        assertFalse(StageOutput.isComplete(target.toString(), conf));
        out.commit();
        assertTrue(Files.exists(target.resolve(Layout.STATS)));
        assertTrue(StageOutput.isComplete(target.toString(), conf));
        // File modification times can tie; _SUCCESS must at least not be older than the content.
        assertTrue(Files.getLastModifiedTime(target.resolve("_SUCCESS")).compareTo(
                Files.getLastModifiedTime(target.resolve(Layout.STATS))) >= 0);
        try (var children = Files.list(dir)) {
            assertEquals(1, children.count(), "the staging folder is gone after commit");
        }
    }

    @Test
    void existingOutputIsRefusedWithoutOverwrite(@TempDir Path dir) throws Exception {
        Path target = dir.resolve("out");
        Files.createDirectories(target);
        Files.writeString(target.resolve("old.txt"), "x");
        ConfigError e = assertThrows(ConfigError.class, () -> StageOutput.open(target.toString(), false, conf));
        assertTrue(e.getMessage().contains("--overwrite"), e.getMessage());
    }

    @Test
    void emptyExistingFolderIsAccepted(@TempDir Path dir) throws Exception {
        Path target = dir.resolve("out");
        Files.createDirectories(target);
        StageOutput out = StageOutput.open(target.toString(), false, conf);
        out.commit();
        assertTrue(StageOutput.isComplete(target.toString(), conf));
    }

    @Test
    void overwriteReplacesTheOldOutputOnlyAtCommit(@TempDir Path dir) throws Exception {
        Path target = dir.resolve("out");
        Files.createDirectories(target);
        Files.writeString(target.resolve("old.txt"), "x");
        StageOutput out = StageOutput.open(target.toString(), true, conf);
        assertTrue(Files.exists(target.resolve("old.txt")), "a running job keeps the previous output intact");
        out.writeText("new.txt", "y");
        out.commit();
        assertFalse(Files.exists(target.resolve("old.txt")));
        assertTrue(Files.exists(target.resolve("new.txt")));
    }

    @Test
    void abortLeavesNoFolderThatLooksFinished(@TempDir Path dir) {
        Path target = dir.resolve("out");
        StageOutput out = StageOutput.open(target.toString(), false, conf);
        out.writeText(Layout.STATS, "{}");
        out.abort();
        assertFalse(Files.exists(target));
        File[] left = dir.toFile().listFiles();
        assertEquals(0, left == null ? 0 : left.length);
    }

    @Test
    void stagingOfAKilledRunIsCleanedUpByTheNextRun(@TempDir Path dir) throws Exception {
        Path abandoned = dir.resolve(".out.inprogress-1234");
        Files.createDirectories(abandoned.resolve("data"));
        StageOutput out = StageOutput.open(dir.resolve("out").toString(), false, conf);
        assertFalse(Files.exists(abandoned));
        out.commit();
    }

    @Test
    void aFileAtTheTargetIsRefused(@TempDir Path dir) throws Exception {
        Path target = dir.resolve("out");
        Files.writeString(target, "x");
        assertThrows(ConfigError.class, () -> StageOutput.open(target.toString(), true, conf));
    }
}
