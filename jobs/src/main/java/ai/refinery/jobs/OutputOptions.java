package ai.refinery.jobs;

import picocli.CommandLine.Option;

/** --output and --overwrite, shared by every stage command. */
public final class OutputOptions {
    @Option(names = "--output", required = true, paramLabel = "DIR",
            description = "Output folder (any Hadoop FS URI). Written atomically; _SUCCESS marks it finished.")
    String output;

    @Option(names = "--overwrite", description = "Replace an existing output folder (default: refuse with exit 2).")
    boolean overwrite;
}
