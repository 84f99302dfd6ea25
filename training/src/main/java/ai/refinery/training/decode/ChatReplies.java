package ai.refinery.training.decode;

import ai.refinery.core.sft.Message;
import ai.refinery.training.tokenizer.ChatTemplate;
import ai.refinery.training.tokenizer.SpecialTokens;

import java.util.ArrayList;
import java.util.List;

/**
 * Generating an assistant turn: the prompt is {@link ChatTemplate#generationPrompt} (the conversation, then
 * {@code <|assistant|>}), and the reply ends where the model closes its turn with {@code <|end|>}, as it was
 * trained to. {@code <|end|>} decodes to its own text, so it ends a reply as a stop string (cut before it,
 * finish reason stop); end of text still ends one too.
 */
public final class ChatReplies {
    /** The text {@code <|end|>} decodes to. */
    public static final String TURN_END = SpecialTokens.END;

    private ChatReplies() {
    }

    /** The settings with {@code <|end|>} among the stop strings. */
    public static SamplingSettings endingTurns(SamplingSettings settings) {
        if (settings.stop().contains(TURN_END)) {
            return settings;
        }
        List<String> stop = new ArrayList<>(settings.stop());
        stop.add(TURN_END);
        return settings.withStop(stop);
    }

    /**
     * The next assistant turn of each conversation, decoded together.
     *
     * @throws PromptTooLongException when a conversation does not fit the context
     */
    public static List<Completion> reply(BatchDecoder decoder, ChatTemplate template,
                                         List<List<Message>> conversations, SamplingSettings settings) {
        List<int[]> prompts = new ArrayList<>(conversations.size());
        for (List<Message> c : conversations) {
            prompts.add(template.generationPrompt(c));
        }
        return decoder.generate(prompts, endingTurns(settings));
    }
}
