package ai.refinery.jobs;

import ai.refinery.core.config.ConfigError;
import ai.refinery.training.generate.ModelBundle;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Option;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** --model, shared by generate and serve; also how a setting that names a model folder is read. */
public final class ModelOption {
    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "A training run folder (its newest checkpoints/step-N/model.zip is used), a checkpoint folder, "
                    + "or an exported model folder (model.zip and tokenizer.json); any Hadoop FS URI. The tokenizer.json "
                    + "is looked up in the folder, its tokenizer/ child, or the run folder of a checkpoint.")
    String model;

    /** A model folder read once: its files, their bytes (what Spark jobs broadcast) and the loaded model. */
    record LoadedModel(ModelBundle.Files files, byte[] modelZip, String tokenizerJson, ModelBundle bundle) {
        /** The manifest's "model" entry: id, files and context length. */
        Map<String, Object> describe() {
            return Map.of("id", files.modelId(), "model_zip", files.modelZip(),
                    "tokenizer", files.tokenizerJson(), "context_length", bundle.contextLength());
        }
    }

    ModelBundle load(Configuration hadoop) {
        return read("--model", model, hadoop).bundle();
    }

    LoadedModel read(Configuration hadoop) {
        return read("--model", model, hadoop);
    }

    /**
     * Reads and loads a model folder; anything that stops it is a usage error naming {@code what} (the option or
     * setting that gave the folder), raised before any task runs.
     */
    static LoadedModel read(String what, String dir, Configuration hadoop) {
        ModelBundle.Files files;
        try {
            files = ModelBundle.locate(dir, hadoop);
        } catch (UncheckedIOException e) {
            throw new ConfigError(what + " " + dir + ": " + e.getMessage(), e);
        }
        try {
            byte[] zip = ModelBundle.read(files.modelZip(), hadoop);
            String tokenizer = new String(ModelBundle.read(files.tokenizerJson(), hadoop), StandardCharsets.UTF_8);
            return new LoadedModel(files, zip, tokenizer, ModelBundle.fromBytes(zip, tokenizer, files.modelId()));
        } catch (RuntimeException e) {
            throw new ConfigError(what + " " + dir + ": cannot load " + files.modelZip() + ": " + e.getMessage(), e);
        }
    }
}
