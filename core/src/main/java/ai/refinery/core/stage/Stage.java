package ai.refinery.core.stage;

import com.typesafe.config.Config;

/**
 * One stage of the platform: the one shape {@link StageRunner} runs for every command. Modelled on Iceberg's
 * actions: a stage is configured by its constructor (the command's parsed options), checked, run against a
 * {@link StageContext}, and answers a {@link StageResult}; the runner owns everything around it (Spark, the output
 * folder, stats.json, manifest.json, commit or abort, the summary line, exit codes through the exceptions).
 *
 * <p>Lifecycle: {@link #check} (before Spark starts: a bad setting is exit 2 in milliseconds) -> the output is
 * opened ({@link #kind}) -> {@link #run} -> the output is committed with the counts -> {@link #afterCommit}; on any
 * failure before the commit the output is aborted and {@link #afterAbort} runs.
 */
public interface Stage {
    /** What the stage writes. */
    enum Kind {
        /** A stage output folder: data/, rejected/, stats.json, manifest.json, _SUCCESS; staged and replaced atomically. */
        STAGE_OUTPUT,
        /** A training run folder: checkpoints/, metrics/, stats.json, manifest.json; written in place, resumable. */
        RUN_FOLDER,
        /** Nothing (a server, a single completion printed to the terminal). */
        NONE
    }

    /** Reads and checks every setting the stage uses (a {@link ai.refinery.core.config.ConfigError} is exit 2). */
    void check(Config config);

    default Kind kind() {
        return Kind.STAGE_OUTPUT;
    }

    /** False for stages that never touch Spark (serve, a single generation): no session is started for them. */
    default boolean usesSpark() {
        return true;
    }

    /** Does the work, writing through {@link StageContext#output()}; the runner commits what it returns. */
    StageResult run(StageContext context) throws Exception;

    /** Side effects that must never precede a finished output (e.g. appending to the dedup index). */
    default void afterCommit(String target) {
    }

    /** Undoes what {@link #run} prepared outside the output when the run fails before its commit. */
    default void afterAbort() {
    }
}
