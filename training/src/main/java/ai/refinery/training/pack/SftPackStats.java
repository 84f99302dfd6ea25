package ai.refinery.training.pack;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Figures of SFT packing (one conversation per window). Every conversation is in exactly one of: invalid (fails
 * the conversation check), a window as it is, a truncated window, rejected as overlong, or dropped for having no
 * target left after truncation.
 * Tokens count the conversations' tokens in windows (padding apart); targets are the loss-bearing ones.
 */
public record SftPackStats(long conversations, long invalid, long truncated, long overlongRejected, long noTarget,
                           long trainWindows, long validationWindows, long tokens, long paddingTokens,
                           long targetTokens, int contextLength, String overlong, String trainOn) {

    public long windows() {
        return trainWindows + validationWindows;
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("conversations", conversations);
        m.put("conversations_invalid", invalid);
        m.put("conversations_truncated", truncated);
        m.put("conversations_rejected_overlong", overlongRejected);
        m.put("conversations_no_target", noTarget);
        m.put("context_length", contextLength);
        m.put("windows", windows());
        m.put("windows_train", trainWindows);
        m.put("windows_validation", validationWindows);
        m.put("tokens", tokens);
        m.put("tokens_padding", paddingTokens);
        m.put("tokens_target", targetTokens);
        m.put("overlong", overlong);
        m.put("train_on", trainOn);
        return m;
    }
}
