package ai.refinery.training.generate;

import ai.refinery.training.decode.BatchDecoder;
import ai.refinery.training.decode.Completion;
import ai.refinery.training.decode.DecoderWeights;
import ai.refinery.training.decode.PromptTooLongException;
import ai.refinery.training.decode.SamplingSettings;
import ai.refinery.training.decode.TokenScorer;
import ai.refinery.core.sft.Message;
import ai.refinery.training.tokenizer.BpeTokenizer;
import ai.refinery.training.tokenizer.ChatTemplate;
import org.deeplearning4j.nn.graph.ComputationGraph;

import java.util.ArrayList;
import java.util.List;

/**
 * Text generation with a model: prompts as text or token ids, completions through the cached, batched decoder
 * ({@link BatchDecoder}) and its sampling chain. The one entry point of generate, serve and local-model
 * rephrasing.
 *
 * <p>Not thread-safe (the decoder holds scratch buffers): one generator per thread
 * ({@link ModelBundle#generator()}); the weights are shared.
 */
public final class Generator {
    /** Sequences decoded at once unless a caller says otherwise. */
    public static final int DEFAULT_BATCH = 16;
    /** Rows of one decoding step at most: prompts longer than this are run in several steps. */
    public static final int MAX_ROWS_PER_STEP = 512;

    private final BpeTokenizer tokenizer;
    private final BatchDecoder decoder;
    private final DecoderWeights weights;
    private ChatTemplate chatTemplate;
    private TokenScorer scorer;

    public Generator(DecoderWeights weights, BpeTokenizer tokenizer, int maxBatch) {
        this.tokenizer = tokenizer;
        this.weights = weights;
        this.decoder = new BatchDecoder(weights, tokenizer, maxBatch, MAX_ROWS_PER_STEP);
    }

    /** A generator over a decoder graph's parameters (read once; the graph is not used to decode). */
    public Generator(ComputationGraph graph, BpeTokenizer tokenizer) {
        this(DecoderWeights.from(graph), tokenizer, DEFAULT_BATCH);
    }

    public int contextLength() {
        return decoder.contextLength();
    }

    public BpeTokenizer tokenizer() {
        return tokenizer;
    }

    public BatchDecoder decoder() {
        return decoder;
    }

    /** The prompt's token ids (special tokens such as chat markers in the prompt become their ids). */
    public int[] encode(String prompt) {
        return tokenizer.encode(prompt);
    }

    /** @throws PromptTooLongException when the prompt has more tokens than the context length */
    public Completion complete(String prompt, SamplingSettings settings) {
        return complete(encode(prompt), settings);
    }

    /** @throws PromptTooLongException when the prompt has more tokens than the context length */
    public Completion complete(int[] prompt, SamplingSettings settings) {
        return decoder.generate(List.of(prompt), settings).get(0);
    }

    /**
     * Completes prompts decoded together (each with the settings' seed alone: a completion is the one
     * {@link #complete} gives for its prompt).
     *
     * @throws PromptTooLongException when a prompt has more tokens than the context length
     */
    public List<Completion> completeAll(List<int[]> prompts, SamplingSettings settings) {
        return decoder.generate(prompts, settings);
    }

    /**
     * The settings for an assistant turn of a chat: the same, also ending at {@code <|end|>}, which closes every
     * assistant turn of the chat template.
     *
     * @throws IllegalArgumentException when the tokenizer has no chat markers
     */
    public SamplingSettings forChat(SamplingSettings settings) {
        return settings.withStopTokenIds(List.of(chatTemplate().endId()));
    }

    /** The chat template over this generator's tokenizer. */
    public ChatTemplate chatTemplate() {
        if (chatTemplate == null) {
            chatTemplate = new ChatTemplate(tokenizer);
        }
        return chatTemplate;
    }

    /**
     * The next assistant turns of conversations, decoded together: each prompt is
     * {@link ChatTemplate#generationPrompt}, and each answer ends at {@code <|end|>} (finish reason stop).
     *
     * @throws PromptTooLongException   when a conversation has more tokens than the context length
     * @throws IllegalArgumentException when a message has an unknown role
     */
    public List<Completion> completeChats(List<List<Message>> conversations, SamplingSettings settings) {
        List<int[]> ids = new ArrayList<>(conversations.size());
        for (List<Message> c : conversations) {
            ids.add(chatTemplate().generationPrompt(c));
        }
        return completeAll(ids, forChat(settings)).stream().map(Generator::asResponse).toList();
    }

    /** A completion of {@link ChatTemplate#generationPrompt} as the assistant turn's text ({@link ChatTemplate#responseText}). */
    public static Completion asResponse(Completion c) {
        return new Completion(ChatTemplate.responseText(c.text()), c.promptTokens(), c.completionTokens(),
                c.finishReason(), c.tokens(), c.logprobs());
    }

    /**
     * Teacher-forced scores (log-probability and rank of each target after its prefix) over the same weights; an
     * empty context stands for end of text, as an empty prompt does in generation.
     */
    public TokenScorer scorer() {
        if (scorer == null) {
            scorer = new TokenScorer(weights, tokenizer.endOfTextId(), MAX_ROWS_PER_STEP);
        }
        return scorer;
    }

    /** {@link #completeAll} of texts. */
    public List<Completion> completeTexts(List<String> prompts, SamplingSettings settings) {
        List<int[]> ids = new ArrayList<>(prompts.size());
        for (String p : prompts) {
            ids.add(encode(p));
        }
        return completeAll(ids, settings);
    }
}
