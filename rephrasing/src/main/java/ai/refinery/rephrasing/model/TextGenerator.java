package ai.refinery.rephrasing.model;

import java.io.Serializable;
import java.util.List;

/**
 * Where model-backed rephrasing gets its text: a language model behind some interface (an OpenAI-compatible
 * endpoint such as refinery serve or vLLM, or a model in the same process). Implementations never throw for a
 * failed prompt: each prompt gets a {@link Generated} that either holds text or says why there is none.
 */
public interface TextGenerator extends AutoCloseable {

    /** The model's name, recorded on every generated row. */
    String modelId();

    /** One result per prompt, in the prompts' order. */
    List<Generated> generate(List<String> prompts);

    @Override
    default void close() {
    }

    /**
     * How each Spark task gets its generator: serialised with the job, opened once per partition on the executor.
     * The settings are the resolved ones (their model names the model recorded on every row).
     */
    @FunctionalInterface
    interface Source extends Serializable {
        TextGenerator open(ModelRephraseSettings settings);
    }

    /**
     * @param text         the generated text, null when generation failed
     * @param finishReason "stop" or "length" (as the model reported it), null when failed
     * @param error        why generation failed, null when it did not
     * @param attempts     requests it took (1 without retries)
     */
    record Generated(String text, String finishReason, String error, int attempts) {
        public static Generated ok(String text, String finishReason, int attempts) {
            return new Generated(text, finishReason, null, attempts);
        }

        public static Generated failed(String error, int attempts) {
            return new Generated(null, null, error, attempts);
        }

        public boolean failed() {
            return error != null;
        }
    }
}
