package ai.refinery.jobs;

import ai.refinery.pipeline.config.Settings;
import com.typesafe.config.Config;
import picocli.CommandLine.Option;

import java.io.File;
import java.util.ArrayList;
import java.util.List;

/** The options every stage command shares (design: --input, --output, --conf, --set, --overwrite). */
public final class StageOptions {
    @Option(names = "--input", required = true, split = ",", paramLabel = "PATH",
            description = "Input files, folders or globs; comma-separated or repeated. Any Hadoop FS URI "
                    + "(file:, hdfs:, s3a:). Folders are read recursively, skipping names that start with '.' or '_'.")
    List<String> inputs = new ArrayList<>();

    @Option(names = "--output", required = true, paramLabel = "DIR",
            description = "Output folder (any Hadoop FS URI). Written atomically; _SUCCESS marks it finished.")
    String output;

    @Option(names = "--conf", paramLabel = "FILE",
            description = "HOCON file of settings to change; every setting and its default is in conf/refinery.conf.")
    File confFile;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Change one setting, e.g. --set filter.language.threshold=0.8 (repeatable; wins over --conf).")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--overwrite", description = "Replace an existing output folder (default: refuse with exit 2).")
    boolean overwrite;

    Config config() {
        return Settings.load(confFile, overrides);
    }
}
