package ai.refinery.training.pack;

import ai.refinery.core.sft.SftSettings.Overlong;
import ai.refinery.training.tokenizer.ChatTemplate;

import java.io.Serializable;
import java.util.Arrays;

/**
 * One conversation in one training window: its tokens padded to context_length + 1 with the padding id, and the
 * loss mask over the context_length targets (target i is token i + 1; its mask is that token's target flag
 * from the chat template); {@code length} is the conversation's tokens in it, the rest is padding, never a
 * target. The model is causal, so padding after a conversation changes none of the conversation's positions: its
 * loss is what it would be alone.
 */
public record SftWindow(Status status, int[] tokens, int[] lossMask, int length) implements Serializable {

    public enum Status {
        /** Not a conversation the template can train on ({@link ai.refinery.core.sft.ConversationCheck}). */
        INVALID,
        /** The conversation fits. */
        FITS,
        /** Longer than a window, cut to its first context_length + 1 tokens. */
        TRUNCATED,
        /** Longer than a window and the policy is reject: no window. */
        OVERLONG_REJECTED,
        /** No target in the window (truncation cut every assistant token off): no window. */
        NO_TARGET
    }

    public static SftWindow invalid() {
        return new SftWindow(Status.INVALID, null, null, 0);
    }

    public boolean hasWindow() {
        return status == Status.FITS || status == Status.TRUNCATED;
    }

    public static SftWindow of(ChatTemplate.Rendered conversation, int contextLength, int padId, Overlong overlong) {
        int[] tokens = conversation.tokens();
        int length = tokens.length;
        Status status = Status.FITS;
        if (length > contextLength + 1) {
            if (overlong == Overlong.REJECT) {
                return new SftWindow(Status.OVERLONG_REJECTED, null, null, 0);
            }
            status = Status.TRUNCATED;
            length = contextLength + 1;
        }
        int[] window = Arrays.copyOf(tokens, contextLength + 1);
        Arrays.fill(window, length, window.length, padId);
        int[] mask = new int[contextLength];
        int targets = 0;
        for (int i = 0; i + 1 < length; i++) {
            mask[i] = conversation.targets()[i + 1];
            targets += mask[i];
        }
        if (targets == 0) {
            return new SftWindow(Status.NO_TARGET, null, null, 0);
        }
        return new SftWindow(status, window, mask, length);
    }
}
