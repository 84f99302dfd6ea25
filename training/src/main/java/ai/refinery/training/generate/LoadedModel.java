package ai.refinery.training.generate;

import ai.refinery.core.config.ConfigError;
import org.apache.hadoop.conf.Configuration;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A model folder read once: its files, their bytes (what Spark jobs broadcast) and the loaded model.
 *
 * @param files         where the model and tokenizer were found
 * @param modelZip      the model.zip bytes
 * @param tokenizerJson the tokenizer.json text
 * @param bundle        the loaded model
 */
public record LoadedModel(ModelBundle.Files files, byte[] modelZip, String tokenizerJson, ModelBundle bundle) {

    /** The manifest's "model" entry: id, files and context length. */
    public Map<String, Object> describe() {
        return Map.of("id", files.modelId(), "model_zip", files.modelZip(),
                "tokenizer", files.tokenizerJson(), "context_length", bundle.contextLength());
    }

    /**
     * Reads and loads a model folder; anything that stops it is a usage error naming {@code what} (the option or
     * setting that gave the folder), raised before any task runs.
     */
    public static LoadedModel read(String what, String dir, Configuration hadoop) {
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
