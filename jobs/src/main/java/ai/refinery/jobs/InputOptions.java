package ai.refinery.jobs;

import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

/** --input, shared by every command that reads data. */
public final class InputOptions {
    @InputPath
    @Option(names = "--input", required = true, split = ",", paramLabel = "PATH",
            description = "Input files, folders or globs; comma-separated or repeated. Any Hadoop FS URI "
                    + "(file:, hdfs:, s3a:). Folders are read recursively, skipping names that start with '.' or '_'; "
                    + "the output folder of an earlier stage stands for its data/.")
    List<String> inputs = new ArrayList<>();
}
