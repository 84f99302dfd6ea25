package ai.refinery.training.decode;

import java.util.ArrayList;
import java.util.List;

/**
 * Teacher forcing: the model's log-probability and rank of every given token after its prefix, for many
 * (context, targets) pairs at once. The sequences run through the cached forward pass ({@link CachedDecoder},
 * the full-window logits to 1e-4) as prompt rows, many sequences per step, with logits taken only at the
 * positions that predict a target. The numbers are the model's own distribution over its whole output
 * vocabulary, before any logits processor (as the APIs' log-probabilities).
 *
 * <p>A target's rank is 1 + the number of tokens with a strictly larger logit: 1 is the model's greedy choice at
 * that prefix (tied tokens share the better rank). This is the per-prefix ranking that token-shift analyses need
 * (rank each token of one model's output under another model at the same prefix); they rank among the
 * tokenizer's real tokens only (see the five-argument constructor).
 *
 * <p>Not thread-safe (scratch buffers): one per thread over shared weights.
 */
public final class TokenScorer {
    private final DecoderWeights weights;
    private final CachedDecoder decoder;
    private final int endOfText;
    private final int maxRowsPerStep;
    private final int rankLimit;
    private final int rankSkip;

    /** The scores of one sequence's targets. Sum and mean are over the targets. */
    public record Scores(int[] tokens, double[] logprobs, int[] ranks) {
        public double sum() {
            double s = 0;
            for (double v : logprobs) {
                s += v;
            }
            return s;
        }

        /** The mean log-probability per target; NaN without targets. */
        public double mean() {
            return logprobs.length == 0 ? Double.NaN : sum() / logprobs.length;
        }

        public int size() {
            return tokens.length;
        }
    }

    /**
     * @param endOfText      the id an empty context stands for (generation starts an empty prompt with it)
     * @param maxRowsPerStep rows of one forward step at most (memory: a logits row per predicting position)
     */
    public TokenScorer(DecoderWeights weights, int endOfText, int maxRowsPerStep) {
        this(weights, endOfText, maxRowsPerStep, Integer.MAX_VALUE, -1);
    }

    /**
     * Ranks counting only the ids below {@code rankLimit} other than {@code rankSkip}: an output layer may be wider
     * than the tokenizer's vocabulary, and padding is never a real candidate. Log-probabilities stay over the whole
     * output.
     */
    public TokenScorer(DecoderWeights weights, int endOfText, int maxRowsPerStep, int rankLimit, int rankSkip) {
        if (maxRowsPerStep < 1) {
            throw new IllegalArgumentException("maxRowsPerStep must be at least 1");
        }
        this.weights = weights;
        this.decoder = new CachedDecoder(weights);
        this.endOfText = endOfText;
        this.maxRowsPerStep = maxRowsPerStep;
        this.rankLimit = rankLimit;
        this.rankSkip = rankSkip;
    }

    public int contextLength() {
        return weights.contextLength;
    }

    /** Tokens of context plus targets at most: the context length + 1 (the last target is never run). */
    public int maxTokens() {
        return weights.contextLength + 1;
    }

    /** Scores of one sequence; see {@link #scoreAll}. */
    public Scores score(int[] context, int[] targets) {
        return scoreAll(List.of(context), List.of(targets)).get(0);
    }

    /**
     * The scores of each pair's targets after its context (and the targets before them), in order; a pair's
     * scores do not depend on the others it runs with.
     *
     * @throws PromptTooLongException   when a context plus its targets is longer than {@link #maxTokens()}
     * @throws IllegalArgumentException for a token id outside the model's vocabulary
     */
    public List<Scores> scoreAll(List<int[]> contexts, List<int[]> targets) {
        if (contexts.size() != targets.size()) {
            throw new IllegalArgumentException(contexts.size() + " contexts but " + targets.size() + " target lists");
        }
        int vocab = weights.vocabSize();
        int n = contexts.size();
        int[][] sequences = new int[n][];
        int[] firstTarget = new int[n];
        List<Scores> out = new ArrayList<>(n);
        int totalRows = 0;
        for (int i = 0; i < n; i++) {
            int[] c = contexts.get(i).length == 0 ? new int[] {endOfText} : contexts.get(i);
            int[] t = targets.get(i);
            if (c.length + t.length > maxTokens()) {
                throw new PromptTooLongException(c.length + t.length, maxTokens());
            }
            int[] s = new int[c.length + t.length];
            System.arraycopy(c, 0, s, 0, c.length);
            System.arraycopy(t, 0, s, c.length, t.length);
            for (int id : s) {
                if (id < 0 || id >= vocab) {
                    throw new IllegalArgumentException("token id " + id + " is outside the vocabulary 0.." + (vocab - 1));
                }
            }
            sequences[i] = s;
            firstTarget[i] = c.length;
            out.add(new Scores(t.clone(), new double[t.length], new int[t.length]));
            // Rows: every token but the last (its logits would predict nothing); none without targets.
            totalRows += t.length == 0 ? 0 : s.length - 1;
        }
        // All rows of all sequences in order, cut into steps; a sequence may span steps (its cache carries over).
        KvCache[] caches = new KvCache[n];
        int[] seqOf = new int[Math.min(totalRows, maxRowsPerStep)];
        int[] posOf = new int[seqOf.length];
        KvCache[] rowCaches = new KvCache[seqOf.length];
        int[] tokens = new int[seqOf.length];
        float[][] logits = new float[seqOf.length][];
        int rows = 0;
        for (int i = 0; i < n; i++) {
            if (out.get(i).size() == 0) {
                continue;
            }
            int length = sequences[i].length - 1;
            caches[i] = new KvCache(weights, length);
            for (int p = 0; p < length; p++) {
                seqOf[rows] = i;
                posOf[rows] = p;
                rowCaches[rows] = caches[i];
                tokens[rows] = sequences[i][p];
                // Position p predicts token p + 1, a target from the context's last position on.
                logits[rows] = p + 1 >= firstTarget[i] ? new float[vocab] : null;
                rows++;
                if (rows == seqOf.length) {
                    run(rows, rowCaches, tokens, posOf, logits, seqOf, sequences, firstTarget, out);
                    rows = 0;
                }
            }
        }
        if (rows > 0) {
            run(rows, rowCaches, tokens, posOf, logits, seqOf, sequences, firstTarget, out);
        }
        return out;
    }

    private void run(int rows, KvCache[] rowCaches, int[] tokens, int[] positions, float[][] logits, int[] seqOf,
                     int[][] sequences, int[] firstTarget, List<Scores> out) {
        decoder.forward(rowCaches, tokens, positions, rows, logits);
        for (int r = 0; r < rows; r++) {
            if (logits[r] == null) {
                continue;
            }
            int i = seqOf[r];
            int next = positions[r] + 1;
            int target = sequences[i][next];
            Scores s = out.get(i);
            s.logprobs()[next - firstTarget[i]] = logprob(logits[r], target);
            s.ranks()[next - firstTarget[i]] = rank(logits[r], target, rankLimit, rankSkip);
        }
        java.util.Arrays.fill(rowCaches, 0, rows, null);
    }

    /** log softmax(logits)[token], in double. */
    static double logprob(float[] logits, int token) {
        float max = LogitsProcessors.max(logits);
        double sum = 0;
        for (float v : logits) {
            sum += Math.exp(v - max);
        }
        return logits[token] - max - Math.log(sum);
    }

    /** 1 + the number of ids below {@code limit}, other than {@code skip}, with a strictly larger logit. */
    static int rank(float[] logits, int token, int limit, int skip) {
        float v = logits[token];
        int above = 0;
        for (int i = 0; i < limit && i < logits.length; i++) {
            if (i != skip && logits[i] > v) {
                above++;
            }
        }
        return above + 1;
    }
}
