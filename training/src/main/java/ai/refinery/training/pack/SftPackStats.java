package ai.refinery.training.pack;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Figures of SFT packing. Every conversation is in exactly one of: invalid (fails the conversation check), a
 * window as it is, a truncated window, rejected as overlong, or dropped for having no target left after
 * truncation. Tokens count the conversations' tokens in windows (padding apart); targets are the loss-bearing
 * ones; windowed conversations are those in windows (one per window when padded, several when packed).
 */
public record SftPackStats(long conversations, long invalid, long truncated, long overlongRejected, long noTarget,
                           long trainWindows, long validationWindows, long tokens, long paddingTokens,
                           long targetTokens, int contextLength, String overlong, String trainOn, String packing,
                           long windowedConversations) {

    public long windows() {
        return trainWindows + validationWindows;
    }

    /** Conversations per window on average (1 when padded). */
    public double conversationsPerWindow() {
        return windows() == 0 ? 0 : (double) windowedConversations / windows();
    }

    /** Share of the windows' tokens that are padding. */
    public double paddingShare() {
        long all = tokens + paddingTokens;
        return all == 0 ? 0 : (double) paddingTokens / all;
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("conversations", conversations);
        m.put("conversations_invalid", invalid);
        m.put("conversations_truncated", truncated);
        m.put("conversations_rejected_overlong", overlongRejected);
        m.put("conversations_no_target", noTarget);
        m.put("context_length", contextLength);
        m.put("packing", packing);
        m.put("windows", windows());
        m.put("windows_train", trainWindows);
        m.put("windows_validation", validationWindows);
        m.put("conversations_per_window", Math.round(conversationsPerWindow() * 1000) / 1000.0);
        m.put("tokens", tokens);
        m.put("tokens_padding", paddingTokens);
        m.put("padding_share", Math.round(paddingShare() * 10000) / 10000.0);
        m.put("tokens_target", targetTokens);
        m.put("overlong", overlong);
        m.put("train_on", trainOn);
        return m;
    }
}
