package ai.refinery.training.decode;

import ai.refinery.training.tokenizer.BpeTokenizer;
import ai.refinery.training.tokenizer.SpecialTokens;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes many prompts at once over shared {@link DecoderWeights}: every step runs one row per sequence being
 * decoded (and the prompt rows of sequences that start), with a key/value cache per sequence, and then each
 * sequence picks its next token through its own {@link SamplingChain}. Sequences that finish leave the batch and
 * waiting ones take their place (continuous batching). A sequence's completion is the same whatever the other
 * sequences of its batch: its rows are computed by the same operations in the same order, and its random draws
 * come from its own generator.
 *
 * <p>Not thread-safe (it holds scratch buffers): one per thread; the weights are shared.
 */
public final class BatchDecoder {
    private final DecoderWeights weights;
    private final CachedDecoder decoder;
    private final Vocabulary vocabulary;
    private final int maxBatch;
    private final int maxRowsPerStep;
    /** The rule processors per rules file and end ids (their token scores take a pass over the vocabulary). */
    private final Map<RuleSet, Map<List<Integer>, List<LogitsProcessor>>> ruleProcessors = new IdentityHashMap<>();

    /**
     * @param maxBatch       sequences decoded at once by {@link #generate}
     * @param maxRowsPerStep rows of one step at most (prompts longer than that are run in several steps)
     */
    public BatchDecoder(DecoderWeights weights, BpeTokenizer tokenizer, int maxBatch, int maxRowsPerStep) {
        if (maxBatch < 1 || maxRowsPerStep < 1) {
            throw new IllegalArgumentException("maxBatch and maxRowsPerStep must be at least 1");
        }
        if (tokenizer.vocabSize() > weights.vocabSize()) {
            throw new IllegalArgumentException("the tokenizer has " + tokenizer.vocabSize()
                    + " tokens but the model only " + weights.vocabSize() + " outputs: they do not belong together");
        }
        this.weights = weights;
        this.decoder = new CachedDecoder(weights);
        this.vocabulary = new Vocabulary(tokenizer);
        this.maxBatch = maxBatch;
        this.maxRowsPerStep = maxRowsPerStep;
    }

    public int contextLength() {
        return weights.contextLength;
    }

    /** A sequence for a prompt of token ids; {@link PromptTooLongException} when it does not fit the context. */
    public Sequence start(int[] prompt, SamplingSettings settings) {
        settings.checkVocabulary(weights.vocabSize());
        for (int id : prompt) {
            if (id < 0 || id >= weights.vocabSize()) {
                throw new IllegalArgumentException("prompt token id " + id + " is outside the vocabulary");
            }
        }
        int[] ends = settings.endIds(vocabulary.endOfText);
        List<LogitsProcessor> rules = settings.rules() == null ? List.of()
                : ruleProcessors.computeIfAbsent(settings.rules(), r -> new java.util.HashMap<>())
                .computeIfAbsent(java.util.Arrays.stream(ends).boxed().toList(),
                        e -> settings.rules().processors(vocabulary.tokenizer, ends));
        SamplingChain chain = SamplingChain.of(settings, vocabulary.sampleLimit, vocabulary.pad,
                vocabulary.endOfText, rules);
        return new Sequence(prompt, settings, chain, weights.contextLength, vocabulary, weights.vocabSize());
    }

    /**
     * Sequences that continue one prompt under several settings (e.g. one greedy and many sampled answers): the
     * prompt runs through the model once and its keys and values are copied to every sequence, which then picks
     * its first token from the same logits. Each completion is the one {@link #start} and {@link #run} give for
     * the prompt and its settings (rows do not depend on what they are computed with).
     */
    public List<Sequence> startShared(int[] prompt, List<SamplingSettings> settings) {
        List<Sequence> all = new ArrayList<>(settings.size());
        for (SamplingSettings s : settings) {
            all.add(start(prompt, s));
        }
        Sequence lead = null;
        for (Sequence s : all) {
            if (!s.isDone()) {
                lead = s;
                break;
            }
        }
        if (lead == null) {
            return all;
        }
        int n = lead.pendingCount;
        lead.cache = new KvCache(weights, lead.cacheCapacity());
        for (int from = 0; from < n; from += maxRowsPerStep) {
            int rows = Math.min(maxRowsPerStep, n - from);
            KvCache[] caches = new KvCache[rows];
            int[] tokens = new int[rows];
            int[] positions = new int[rows];
            float[][] logits = new float[rows][];
            for (int r = 0; r < rows; r++) {
                caches[r] = lead.cache;
                tokens[r] = lead.pending[from + r];
                positions[r] = from + r;
            }
            if (from + rows == n) {
                logits[rows - 1] = lead.logits;
            }
            decoder.forward(caches, tokens, positions, rows, logits);
        }
        for (Sequence s : all) {
            if (s.isDone()) {
                continue;
            }
            if (s != lead) {
                s.cache = lead.cache.copy(n, s.cacheCapacity());
                System.arraycopy(lead.logits, 0, s.logits, 0, s.logits.length);
            }
            s.pendingCount = 0;
        }
        // The lead's logits are changed in place by its own sampling chain: it picks last.
        for (Sequence s : all) {
            if (!s.isDone() && s != lead) {
                s.advance();
            }
        }
        lead.advance();
        return all;
    }

    /** Completes every prompt, {@code maxBatch} at a time, in the prompts' order. */
    public List<Completion> generate(List<int[]> prompts, SamplingSettings settings) {
        List<Sequence> all = new ArrayList<>(prompts.size());
        for (int[] p : prompts) {
            all.add(start(p, settings));
        }
        run(all);
        List<Completion> out = new ArrayList<>(all.size());
        for (Sequence s : all) {
            out.add(s.completion());
        }
        return out;
    }

    /** Runs sequences to completion, at most {@code maxBatch} in the batch at once. */
    public void run(List<Sequence> sequences) {
        List<Sequence> active = new ArrayList<>();
        int next = 0;
        while (true) {
            active.removeIf(Sequence::isDone);
            while (active.size() < maxBatch && next < sequences.size()) {
                Sequence s = sequences.get(next++);
                if (!s.isDone()) {
                    active.add(s);
                }
            }
            if (active.isEmpty()) {
                return;
            }
            step(active);
        }
    }

    /**
     * One step: runs the pending tokens of the given unfinished sequences (one for a sequence being decoded, the
     * prompt for one that starts, cut to {@code maxRowsPerStep} rows in all) and lets every sequence whose
     * pending tokens have all run pick its next token.
     */
    public void step(List<Sequence> active) {
        int rows = 0;
        for (Sequence s : active) {
            if (!s.isDone()) {
                rows += s.pendingCount;
            }
        }
        rows = Math.max(1, Math.min(rows, maxRowsPerStep));
        KvCache[] caches = new KvCache[rows];
        int[] tokens = new int[rows];
        int[] positions = new int[rows];
        float[][] logits = new float[rows][];
        List<Sequence> ready = new ArrayList<>();
        int n = 0;
        // Sequences being decoded first (one row each), then prompts, so a long prompt never holds them up.
        for (int pass = 0; pass < 2 && n < rows; pass++) {
            for (Sequence s : active) {
                // pendingCount 0: already scheduled in this step.
                if (s.isDone() || s.pendingCount == 0 || (pass == 0) != (s.pendingCount == 1) || n >= rows) {
                    continue;
                }
                if (s.cache == null) {
                    s.cache = new KvCache(weights, s.cacheCapacity());
                }
                int take = Math.min(s.pendingCount, rows - n);
                int first = s.cache.length;
                for (int i = 0; i < take; i++) {
                    caches[n] = s.cache;
                    tokens[n] = s.pending[i];
                    positions[n] = first + i;
                    n++;
                }
                if (take == s.pendingCount) {
                    logits[n - 1] = s.logits;
                    ready.add(s);
                    s.pendingCount = 0;
                } else {
                    s.pending = java.util.Arrays.copyOfRange(s.pending, take, s.pendingCount);
                    s.pendingCount -= take;
                }
            }
        }
        decoder.forward(caches, tokens, positions, n, logits);
        for (Sequence s : ready) {
            s.advance();
        }
    }

    /** What sequences need of the tokenizer: special ids, token bytes and log-probability reports. */
    static final class Vocabulary {
        final BpeTokenizer tokenizer;
        final int endOfText;
        final int pad;
        /** Ids at and above this are never sampled (a model vocabulary larger than the tokenizer's). */
        final int sampleLimit;

        Vocabulary(BpeTokenizer tokenizer) {
            this.tokenizer = tokenizer;
            this.endOfText = tokenizer.endOfTextId();
            this.pad = tokenizer.idOf(SpecialTokens.PAD);
            this.sampleLimit = tokenizer.vocabSize();
        }

        int endOfText() {
            return endOfText;
        }

        byte[] bytes(int id) {
            return tokenizer.tokenBytes(id);
        }

        String text(int id) {
            return id < tokenizer.vocabSize() ? new String(tokenizer.tokenBytes(id), StandardCharsets.UTF_8) : "";
        }

        /** The chosen token's log-probability under the raw logits and the top-n alternatives. */
        Completion.TokenLogprobs logprobs(float[] raw, int chosen, int n) {
            float max = LogitsProcessors.max(raw);
            double sum = 0;
            for (float v : raw) {
                sum += Math.exp(v - max);
            }
            double logZ = max + Math.log(sum);
            List<Completion.Alternative> top = new ArrayList<>(n);
            boolean[] taken = new boolean[raw.length];
            for (int k = 0; k < n && k < raw.length; k++) {
                int best = -1;
                for (int i = 0; i < raw.length; i++) {
                    if (!taken[i] && (best < 0 || raw[i] > raw[best])) {
                        best = i;
                    }
                }
                taken[best] = true;
                top.add(new Completion.Alternative(best, text(best), raw[best] - logZ));
            }
            return new Completion.TokenLogprobs(new Completion.Alternative(chosen, text(chosen), raw[chosen] - logZ),
                    List.copyOf(top));
        }
    }
}
