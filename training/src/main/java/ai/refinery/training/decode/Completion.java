package ai.refinery.training.decode;

import java.io.Serializable;
import java.util.List;

/**
 * One generated completion.
 *
 * @param text             the generated text (without the end-of-text token or the stop string that ended it)
 * @param promptTokens     tokens of the prompt
 * @param completionTokens tokens generated (the end-of-text token is not counted)
 * @param finishReason     why generation ended
 * @param tokens           the generated token ids (the end-of-text token is not among them)
 * @param logprobs         one entry per generated token when log-probabilities were asked for, else null
 */
public record Completion(String text, int promptTokens, int completionTokens, FinishReason finishReason,
                         int[] tokens, List<TokenLogprobs> logprobs) implements Serializable {

    public Completion(String text, int promptTokens, int completionTokens, FinishReason finishReason, int[] tokens) {
        this(text, promptTokens, completionTokens, finishReason, tokens, null);
    }

    /** Why a completion ended, with the OpenAI wire names. */
    public enum FinishReason {
        /** End of text or a stop string. */
        STOP("stop"),
        /** max_tokens reached, or the model's context is full. */
        LENGTH("length");

        private final String wire;

        FinishReason(String wire) {
            this.wire = wire;
        }

        public String wire() {
            return wire;
        }
    }

    /**
     * The model's own log-probability (natural log, before any logits processor) of a generated token, and the
     * most probable alternatives at its position, most probable first.
     */
    public record TokenLogprobs(Alternative chosen, List<Alternative> top) implements Serializable {
    }

    /** A token id, its text (decoded alone; partial UTF-8 sequences show as U+FFFD) and its log-probability. */
    public record Alternative(int id, String text, double logprob) implements Serializable {
    }
}
