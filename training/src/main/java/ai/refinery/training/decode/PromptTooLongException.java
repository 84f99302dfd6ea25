package ai.refinery.training.decode;

/** A prompt with more tokens than the model's context length. */
public final class PromptTooLongException extends IllegalArgumentException {
    private final int tokens;
    private final int contextLength;

    public PromptTooLongException(int tokens, int contextLength) {
        super("the prompt has " + tokens + " tokens, more than the model's context length of " + contextLength);
        this.tokens = tokens;
        this.contextLength = contextLength;
    }

    public int tokens() {
        return tokens;
    }

    public int contextLength() {
        return contextLength;
    }
}
