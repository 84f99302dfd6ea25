package ai.refinery.jobs;

import ai.refinery.pipeline.config.ConfigError;
import ai.refinery.training.generate.ModelBundle;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Option;

import java.io.UncheckedIOException;

/** --model, shared by generate and serve. */
public final class ModelOption {
    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "A training run folder (its newest checkpoints/step-N/model.zip is used), a checkpoint folder, "
                    + "or an exported model folder (model.zip and tokenizer.json); any Hadoop FS URI. The tokenizer.json "
                    + "is looked up in the folder, its tokenizer/ child, or the run folder of a checkpoint.")
    String model;

    ModelBundle.Files locate(Configuration hadoop) {
        try {
            return ModelBundle.locate(model, hadoop);
        } catch (UncheckedIOException e) {
            throw new ConfigError("--model " + model + ": " + e.getMessage(), e);
        }
    }

    ModelBundle load(Configuration hadoop) {
        ModelBundle.Files files = locate(hadoop);
        try {
            return ModelBundle.fromBytes(ModelBundle.read(files.modelZip(), hadoop),
                    new String(ModelBundle.read(files.tokenizerJson(), hadoop), java.nio.charset.StandardCharsets.UTF_8),
                    files.modelId());
        } catch (RuntimeException e) {
            throw new ConfigError("--model " + model + ": cannot load " + files.modelZip() + ": " + e.getMessage(), e);
        }
    }
}
