package ai.refinery.training.decode;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One prompt being completed by a {@link BatchDecoder}: its key/value cache, the tokens not yet run through the
 * model, its sampling chain and its own random generator, seeded with the settings' seed alone, so that its
 * text does not depend on the other sequences decoded with it.
 */
public final class Sequence {
    final int[] prompt;
    final SamplingSettings settings;
    final SamplingChain chain;
    final SplittableRandom random;
    final TokenHistory history;
    final float[] logits;
    private final int contextLength;
    private final BatchDecoder.Vocabulary vocabulary;
    /** Ids that end the completion: end of text and the settings' stop token ids. */
    private final int[] endIds;
    KvCache cache;
    /** Tokens of the sequence not yet in the cache. */
    int[] pending;
    int pendingCount;
    /** Tokens of the sequence (prompt, or end of text for an empty prompt, and generated tokens). */
    int length;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final List<Completion.TokenLogprobs> logprobs;
    private int stopSearchFrom;
    private Completion completion;

    Sequence(int[] prompt, SamplingSettings settings, SamplingChain chain, int contextLength,
             BatchDecoder.Vocabulary vocabulary, int vocabSize) {
        if (prompt.length > contextLength) {
            throw new PromptTooLongException(prompt.length, contextLength);
        }
        this.prompt = prompt.clone();
        this.settings = settings;
        this.chain = chain;
        this.random = new SplittableRandom(settings.seed());
        this.history = new TokenHistory(prompt, vocabSize);
        this.logits = new float[vocabSize];
        this.contextLength = contextLength;
        this.vocabulary = vocabulary;
        this.endIds = settings.endIds(vocabulary.endOfText());
        this.logprobs = settings.logprobs() >= 0 ? new ArrayList<>() : null;
        // An empty prompt starts a fresh document, as after a document separator in training.
        this.pending = prompt.length == 0 ? new int[] {vocabulary.endOfText()} : prompt.clone();
        this.pendingCount = pending.length;
        this.length = pendingCount;
        checkLimits();
    }

    public boolean isDone() {
        return completion != null;
    }

    /** The completion, once {@link #isDone()}. */
    public Completion completion() {
        return completion;
    }

    /** Positions the cache needs: the prompt and every generated token but the last. */
    int cacheCapacity() {
        return Math.min(contextLength, length + settings.maxTokens());
    }

    /** Takes the next token from the logits of the sequence's last position (in {@link #logits}). */
    void advance() {
        float[] raw = logprobs != null ? logits.clone() : null;
        int next = chain.next(logits, history, random);
        if (next < 0) {
            throw new IllegalStateException("every token was ruled out by the sampling settings");
        }
        if (raw != null) {
            logprobs.add(vocabulary.logprobs(raw, next, settings.logprobs()));
        }
        if (isEnd(next)) {
            finish(text(), Completion.FinishReason.STOP);
            return;
        }
        history.add(next);
        bytes.writeBytes(vocabulary.bytes(next));
        length++;
        pending[0] = next;
        pendingCount = 1;
        if (!settings.stop().isEmpty()) {
            String sofar = text();
            int cut = firstStop(sofar);
            if (cut >= 0) {
                finish(sofar.substring(0, cut), Completion.FinishReason.STOP);
                return;
            }
            int longest = settings.stop().stream().mapToInt(String::length).max().orElse(0);
            stopSearchFrom = Math.max(0, sofar.length() - longest);
        }
        checkLimits();
    }

    private boolean isEnd(int token) {
        for (int id : endIds) {
            if (id == token) {
                return true;
            }
        }
        return false;
    }

    private void checkLimits() {
        if (history.length() >= settings.maxTokens() || length > contextLength) {
            finish(text(), Completion.FinishReason.LENGTH);
        }
    }

    private void finish(String text, Completion.FinishReason reason) {
        // One entry per generated token (the end of text that ended a completion is not one).
        List<Completion.TokenLogprobs> lp = logprobs == null ? null
                : List.copyOf(logprobs.subList(0, Math.min(logprobs.size(), history.length())));
        completion = new Completion(text, prompt.length, history.length(), reason, history.generated(), lp);
        cache = null;
        pending = null;
    }

    private String text() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** The first occurrence of any stop string, searched from where a new one can start. */
    private int firstStop(String text) {
        int best = -1;
        for (String s : settings.stop()) {
            int at = text.indexOf(s, stopSearchFrom);
            if (at >= 0 && (best < 0 || at < best)) {
                best = at;
            }
        }
        return best;
    }

    @Override
    public String toString() {
        return "Sequence" + Arrays.toString(prompt);
    }
}
