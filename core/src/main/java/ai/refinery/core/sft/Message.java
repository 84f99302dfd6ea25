package ai.refinery.core.sft;

import java.io.Serializable;
import java.util.Objects;

/**
 * One turn of a conversation in the SFT row contract: a role ({@link #SYSTEM}, {@link #USER} or
 * {@link #ASSISTANT}, the OpenAI chat convention) and its text.
 */
public record Message(String role, String content) implements Serializable {
    public static final String SYSTEM = "system";
    public static final String USER = "user";
    public static final String ASSISTANT = "assistant";

    public Message {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
    }

    public static Message system(String content) {
        return new Message(SYSTEM, content);
    }

    public static Message user(String content) {
        return new Message(USER, content);
    }

    public static Message assistant(String content) {
        return new Message(ASSISTANT, content);
    }

    public boolean isAssistant() {
        return ASSISTANT.equals(role);
    }
}
