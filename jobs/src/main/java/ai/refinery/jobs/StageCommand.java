package ai.refinery.jobs;

import ai.refinery.core.build.Build;
import ai.refinery.core.output.OutputPolicy;
import ai.refinery.core.stage.Stage;
import ai.refinery.core.stage.StageRunner;
import com.typesafe.config.Config;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.List;
import java.util.concurrent.Callable;

/**
 * A command: parses its options into a {@link Stage} and hands it to the one {@link StageRunner}, which checks the
 * settings before Spark starts, opens the output, runs, and commits or aborts. Nothing else happens here.
 */
abstract class StageCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions configOptions;

    @Spec
    CommandSpec spec;

    /** Overrides implied by command options (e.g. --people N is bios.people=N). */
    List<String> impliedSettings() {
        return List.of();
    }

    /** The stage the parsed options describe. */
    abstract Stage stage();

    /** The output folder, or null for commands without one. */
    String output() {
        return null;
    }

    OutputPolicy policy() {
        return OutputPolicy.REFUSE;
    }

    /** The stage and the runner's request as the parsed options describe them: the command line's and a build plan's. */
    Build.Planned planned() {
        Config config = configOptions.config(impliedSettings());
        List<String> arguments = spec.commandLine().getParseResult().originalArgs();
        return new Build.Planned(stage(), new StageRunner.Request(spec.name(), arguments, config, output(), policy()));
    }

    @Override
    public Integer call() throws Exception {
        Build.Planned planned = planned();
        StageRunner.standard().run(planned.stage(), planned.request());
        return Refinery.EXIT_OK;
    }
}
