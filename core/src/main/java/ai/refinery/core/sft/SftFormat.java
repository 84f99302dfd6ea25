package ai.refinery.core.sft;

import ai.refinery.core.config.ConfigError;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.Locale;

/**
 * The instruction-data formats the converter reads. {@link #AUTO} picks one per record from its fields, so a
 * folder mixing formats converts in one pass.
 */
public enum SftFormat {
    AUTO("auto"),
    /** OpenAI chat: {@code messages} = [{role, content}, ...]; also the SFT contract itself (rephrase qa). */
    OPENAI("openai"),
    /** Alpaca: {@code instruction}, optional {@code input}, {@code output} (optional {@code system}). */
    ALPACA("alpaca"),
    /** ShareGPT: {@code conversations} = [{from, value}, ...] (optional top-level {@code system}). */
    SHAREGPT("sharegpt"),
    /** {@code prompt} and {@code completion}: strings, or lists of messages (TRL's conversational form). */
    PROMPT_COMPLETION("prompt_completion");

    private final String code;

    SftFormat(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }

    /** @throws ConfigError naming the key when the name is not a format */
    public static SftFormat parse(String name, String key) {
        for (SftFormat f : values()) {
            if (f.code.equals(name.toLowerCase(Locale.ROOT))) {
                return f;
            }
        }
        throw ConfigError.forKey(key, "must be one of auto, openai, alpaca, sharegpt, prompt_completion, got '"
                + name + "'");
    }

    /** The format a record's fields say it is in, or null when they match none. */
    public static SftFormat detect(JsonNode record) {
        if (record.has("messages")) {
            return OPENAI;
        }
        if (record.has("conversations")) {
            return SHAREGPT;
        }
        if (record.has("instruction") && record.has("output")) {
            return ALPACA;
        }
        if (record.has("prompt") && record.has("completion")) {
            return PROMPT_COMPLETION;
        }
        return null;
    }
}
