package ai.refinery.training.generate;

import java.io.Serializable;

/**
 * One generated completion.
 *
 * @param text             the generated text (without the end-of-text token or the stop string that ended it)
 * @param promptTokens     tokens of the prompt
 * @param completionTokens tokens generated (the end-of-text token is not counted)
 * @param finishReason     why generation ended
 * @param tokens           the generated token ids (the end-of-text token is not among them)
 */
public record Completion(String text, int promptTokens, int completionTokens, FinishReason finishReason,
                         int[] tokens) implements Serializable {

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
}
