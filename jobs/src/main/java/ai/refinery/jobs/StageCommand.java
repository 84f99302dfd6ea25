package ai.refinery.jobs;

import ai.refinery.core.output.StageRun;
import ai.refinery.core.spark.SparkSessions;
import com.typesafe.config.Config;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * A command that writes one stage output folder: checks its settings before Spark starts, opens the output
 * (refusing an existing one), runs, and commits with stats.json, manifest.json and _SUCCESS, or aborts.
 */
abstract class StageCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions configOptions;

    @Mixin
    OutputOptions outputOptions;

    @Spec
    CommandSpec spec;

    /** What a run produced: stats.json content, the manifest's headline counts and a one-line summary. */
    record Result(Map<String, ?> stats, Map<String, ?> counts, String summary) {
    }

    /** Overrides implied by command options (e.g. --people N is bios.people=N). */
    List<String> impliedSettings() {
        return List.of();
    }

    /** Reads and checks every setting the command uses, before Spark starts (errors are exit 2). */
    abstract void validate(Config config);

    abstract Result run(SparkSession spark, Config config, StageRun run);

    /** Runs once the output folder is committed: side effects that must never precede a finished output. */
    void afterCommit(String target) {
    }

    /** Runs when the command fails before its output is committed, to undo what {@link #run} prepared. */
    void afterAbort() {
    }

    @Override
    public Integer call() {
        Config config = configOptions.config(impliedSettings());
        validate(config);
        String name = spec.name();
        SparkSession spark = SparkSessions.create(name, config);
        List<String> arguments = spec.commandLine().getParseResult().originalArgs();
        StageRun run = StageRun.open(spark, name, arguments, config, outputOptions.output, outputOptions.overwrite);
        boolean committed = false;
        try {
            Result result = run(spark, config, run);
            String target = run.finish(result.stats(), result.counts());
            committed = true;
            System.out.println(name + ": " + result.summary() + " -> " + target);
            afterCommit(target);
            return Refinery.EXIT_OK;
        } catch (Exception | Error e) {
            // Exception, not only RuntimeException: Spark rethrows failed jobs as a checked SparkException.
            if (!committed) {
                run.abort();
                afterAbort();
            }
            throw e;
        }
    }
}
