package ai.refinery.training.tokenizer;

import ai.refinery.core.sft.Message;
import ai.refinery.core.sft.SftSettings.TrainOn;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;

/**
 * The project's one chat template, on the reserved special tokens:
 *
 * <pre>
 * &lt;|system|&gt; {system}&lt;|end|&gt;&lt;|user|&gt; {user}&lt;|end|&gt;&lt;|assistant|&gt; {assistant}&lt;|end|&gt;&lt;|user|&gt; ...
 * </pre>
 *
 * Every turn is its role marker, one space and its text (no space when the text is empty), and {@code <|end|>},
 * with no newlines, an optional system turn first. To generate, a conversation is followed by
 * {@code <|assistant|>}, and the model's {@code <|end|>} ends its answer; the answer's text is the decoded tokens
 * without the template's space ({@link #responseText}).
 *
 * <p>Why the space: a byte-level BPE learns most words with their leading space, because that is how they occur in
 * running text. A turn's text glued to its marker would start with the rarer start-of-text spelling, so a word
 * that pretraining taught the model as {@code " Geology"} would have to be answered as {@code "Ge" "ology"}: a
 * fact the model knows from its pretraining text could not be read out in a chat answer (BENCHMARKS.md, "Knowledge
 * extraction": held-out accuracy 0 without the space).
 *
 * <p>Markers are written as their ids, never tokenised from their text, so a marker cannot tokenise differently
 * in context (the peers' empty-mask bug), and turn texts are encoded as ordinary text
 * ({@link BpeTokenizer#encodeOrdinary}): a conversation that contains the text {@code <|end|>} cannot forge a
 * turn boundary.
 *
 * <p>Training targets: every assistant turn's tokens and its closing {@code <|end|>} (so the model learns to
 * stop; {@code <|end|>} has its own id, distinct from padding), or only the last assistant turn's with
 * {@link TrainOn#LAST_TURN}. Role markers, system and user turns are never targets.
 *
 * <p>{@link #JINJA} is the same template in Hugging Face's {@code chat_template} form (written into
 * tokenizer.json), with {@code {% generation %}} around the targets so that
 * {@code apply_chat_template(..., return_assistant_tokens_mask=True)} gives the same mask.
 */
public final class ChatTemplate implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The template for Hugging Face loaders: the same text, markers and targets as {@link #render}. */
    public static final String JINJA = """
            {%- for message in messages -%}
            {%- if message['role'] == 'system' -%}
            <|system|>{% if message['content'] %} {{ message['content'] }}{% endif %}<|end|>
            {%- elif message['role'] == 'user' -%}
            <|user|>{% if message['content'] %} {{ message['content'] }}{% endif %}<|end|>
            {%- elif message['role'] == 'assistant' -%}
            <|assistant|>{% generation %}{% if message['content'] %} {{ message['content'] }}{% endif %}<|end|>{% endgeneration %}
            {%- else -%}
            {{ raise_exception('unknown role: ' + message['role']) }}
            {%- endif -%}
            {%- endfor -%}
            {%- if add_generation_prompt -%}<|assistant|>{%- endif -%}""";

    /** What stands between a role marker and its text. */
    public static final String TURN_SEPARATOR = " ";

    /** A conversation's token ids and, per token, 1 where it is a training target. */
    public record Rendered(int[] tokens, byte[] targets) {
    }

    private final BpeTokenizer tokenizer;
    private final int systemId;
    private final int userId;
    private final int assistantId;
    private final int endId;

    /** @throws IllegalArgumentException when the tokenizer lacks a chat marker */
    public ChatTemplate(BpeTokenizer tokenizer) {
        this.tokenizer = tokenizer;
        systemId = marker(tokenizer, SpecialTokens.SYSTEM);
        userId = marker(tokenizer, SpecialTokens.USER);
        assistantId = marker(tokenizer, SpecialTokens.ASSISTANT);
        endId = marker(tokenizer, SpecialTokens.END);
    }

    /** Whether the tokenizer has all the chat markers, as every tokenizer this project trains does. */
    public static boolean supports(BpeTokenizer tokenizer) {
        return SpecialTokens.ALL.stream().allMatch(t -> tokenizer.idOf(t) >= 0);
    }

    private static int marker(BpeTokenizer tok, String marker) {
        int id = tok.idOf(marker);
        if (id < 0) {
            throw new IllegalArgumentException("the tokenizer has no " + marker + " token for the chat template");
        }
        return id;
    }

    public int endId() {
        return endId;
    }

    /**
     * The conversation's tokens and targets. Roles must be system, user or assistant (converted rows are checked
     * before they get here).
     */
    public Rendered render(List<Message> messages, TrainOn trainOn) {
        int lastAssistant = -1;
        for (int i = 0; i < messages.size(); i++) {
            if (messages.get(i).isAssistant()) {
                lastAssistant = i;
            }
        }
        BpeTokenizer.IntBuffer tokens = new BpeTokenizer.IntBuffer(64);
        BpeTokenizer.IntBuffer targets = new BpeTokenizer.IntBuffer(64);
        for (int i = 0; i < messages.size(); i++) {
            Message m = messages.get(i);
            boolean target = m.isAssistant() && (trainOn != TrainOn.LAST_TURN || i == lastAssistant);
            tokens.add(markerOf(m.role()));
            targets.add(0);
            int[] content = turnTokens(m.content());
            tokens.addAll(content);
            int[] flags = new int[content.length];
            Arrays.fill(flags, target ? 1 : 0);
            targets.addAll(flags);
            tokens.add(endId);
            targets.add(target ? 1 : 0);
        }
        int[] flags = targets.toArray();
        byte[] t = new byte[flags.length];
        for (int i = 0; i < t.length; i++) {
            t[i] = (byte) flags[i];
        }
        return new Rendered(tokens.toArray(), t);
    }

    /**
     * A turn's text as the template encodes it after its marker: a space, then the text as ordinary text (marker
     * text inside it stays text); nothing for an empty text.
     */
    public int[] turnTokens(String content) {
        return content.isEmpty() ? new int[0] : tokenizer.encodeOrdinary(TURN_SEPARATOR + content);
    }

    /** A generated assistant turn's text: the decoded tokens without the space the template puts after the marker. */
    public static String responseText(String generated) {
        return generated.startsWith(TURN_SEPARATOR) ? generated.substring(TURN_SEPARATOR.length()) : generated;
    }

    /**
     * The conversation as response tuning trains on it ({@link TrainOn#RESPONSE_ONLY}): system turns removed and
     * every user turn emptied, so only the chat markers stand where the instructions were.
     */
    public static List<Message> withoutInstructions(List<Message> messages) {
        return messages.stream()
                .filter(m -> !Message.SYSTEM.equals(m.role()))
                .map(m -> Message.USER.equals(m.role()) ? Message.user("") : m)
                .toList();
    }

    /** The prompt to generate the next assistant turn: the conversation, then {@code <|assistant|>}. */
    public int[] generationPrompt(List<Message> messages) {
        int[] conversation = render(messages, TrainOn.ALL_ASSISTANT_TURNS).tokens();
        int[] prompt = Arrays.copyOf(conversation, conversation.length + 1);
        prompt[conversation.length] = assistantId;
        return prompt;
    }

    private int markerOf(String role) {
        return switch (role) {
            case Message.SYSTEM -> systemId;
            case Message.USER -> userId;
            case Message.ASSISTANT -> assistantId;
            default -> throw new IllegalArgumentException("unknown role: " + role);
        };
    }
}
