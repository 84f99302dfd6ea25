package ai.refinery.jobs;

import ai.refinery.core.output.OutputPolicy;
import picocli.CommandLine.Mixin;

/** A command that writes one stage output folder (--output, --overwrite). */
abstract class OutputStageCommand extends StageCommand {
    @Mixin
    OutputOptions outputOptions;

    @Override
    String output() {
        return outputOptions.output;
    }

    @Override
    OutputPolicy policy() {
        return OutputPolicy.of(outputOptions.overwrite, false);
    }
}
