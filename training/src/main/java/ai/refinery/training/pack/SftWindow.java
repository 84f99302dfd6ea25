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

    /**
     * A conversation as it goes into a window: its tokens, cut to at most context_length + 1, and each token's
     * target flag from the chat template; no tokens unless it fits or was truncated.
     */
    public record Fit(Status status, int[] tokens, byte[] targets) implements Serializable {
        public boolean hasWindow() {
            return status == Status.FITS || status == Status.TRUNCATED;
        }

        public int length() {
            return tokens == null ? 0 : tokens.length;
        }
    }

    /** The conversation cut to a window under the overlong policy; NO_TARGET when no target is left after token 0. */
    public static Fit fit(ChatTemplate.Rendered conversation, int contextLength, Overlong overlong) {
        int length = conversation.tokens().length;
        Status status = Status.FITS;
        if (length > contextLength + 1) {
            if (overlong == Overlong.REJECT) {
                return new Fit(Status.OVERLONG_REJECTED, null, null);
            }
            status = Status.TRUNCATED;
            length = contextLength + 1;
        }
        byte[] targets = Arrays.copyOf(conversation.targets(), length);
        int n = 0;
        for (int i = 1; i < length; i++) {
            n += targets[i];
        }
        if (n == 0) {
            return new Fit(Status.NO_TARGET, null, null);
        }
        return new Fit(status, Arrays.copyOf(conversation.tokens(), length), targets);
    }

    public static SftWindow of(ChatTemplate.Rendered conversation, int contextLength, int padId, Overlong overlong) {
        Fit f = fit(conversation, contextLength, overlong);
        if (!f.hasWindow()) {
            return new SftWindow(f.status(), null, null, 0);
        }
        PackedSftWindow w = PackedSftWindow.of(java.util.List.of(f), contextLength, padId);
        return new SftWindow(f.status(), w.tokens(), w.lossMask(), f.length());
    }
}
