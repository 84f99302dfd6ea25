package ai.refinery.jobs;

import ai.refinery.core.output.OutputPolicy;
import picocli.CommandLine.Option;

import java.util.List;

/** The options every training command shares: its run folder and how an existing one is treated. */
abstract class TrainCommand extends StageCommand {
    @Option(names = "--output", required = true, paramLabel = "RUN_DIR", description = "The run folder (any Hadoop FS URI).")
    String output;

    @Option(names = "--resume", description = "Continue from the newest checkpoint in the run folder.")
    boolean resume;

    @Option(names = "--overwrite", description = "Delete an existing run folder and start over.")
    boolean overwrite;

    @Override
    List<String> impliedSettings() {
        return List.of("train.resume=" + resume);
    }

    @Override
    String output() {
        return output;
    }

    @Override
    OutputPolicy policy() {
        return OutputPolicy.of(overwrite, resume);
    }
}
