package ai.refinery.training.decode;

/**
 * Teacher-forced scoring of a given response: the model's exact next-token logits at every response position,
 * the prompt and the response run through the cached forward pass in one call (one row per token). The logits
 * before response token i are those the full-window forward pass gives at position (prompt length - 1 + i).
 *
 * <p>Not thread-safe (the decoder holds scratch buffers): one per thread; the weights are shared.
 */
public final class TeacherForcing {
    private final DecoderWeights weights;
    private final CachedDecoder decoder;
    private final int endOfText;

    /** @param endOfText the token an empty prompt starts from (as in generation: a fresh document) */
    public TeacherForcing(DecoderWeights weights, int endOfText) {
        this.weights = weights;
        this.decoder = new CachedDecoder(weights);
        this.endOfText = endOfText;
    }

    public int contextLength() {
        return weights.contextLength;
    }

    public int vocabSize() {
        return weights.vocabSize();
    }

    /** Whether prompt + response fit the context (the last response token is predicted, never fed). */
    public boolean fits(int[] prompt, int[] response) {
        return Math.max(1, prompt.length) + response.length - 1 <= weights.contextLength;
    }

    /**
     * logits[i] [vocab] are the next-token logits given the prompt and response[0..i-1].
     *
     * @throws IllegalArgumentException when prompt and response do not fit the context or an id is out of range
     */
    public float[][] responseLogits(int[] prompt, int[] response) {
        int[] context = prompt.length == 0 ? new int[] {endOfText} : prompt;
        if (!fits(prompt, response)) {
            throw new IllegalArgumentException("prompt (" + context.length + " tokens) and response (" + response.length
                    + " tokens) do not fit the context of " + weights.contextLength);
        }
        if (response.length == 0) {
            return new float[0][];
        }
        int n = context.length + response.length - 1;
        int[] tokens = new int[n];
        System.arraycopy(context, 0, tokens, 0, context.length);
        System.arraycopy(response, 0, tokens, context.length, response.length - 1);
        KvCache cache = new KvCache(weights, n);
        KvCache[] caches = new KvCache[n];
        int[] positions = new int[n];
        float[][] rows = new float[n][];
        float[][] out = new float[response.length][];
        for (int r = 0; r < n; r++) {
            if (tokens[r] < 0 || tokens[r] >= weights.vocabSize()) {
                throw new IllegalArgumentException("token id " + tokens[r] + " is outside the vocabulary");
            }
            caches[r] = cache;
            positions[r] = r;
        }
        for (int i = 0; i < response.length; i++) {
            out[i] = new float[weights.vocabSize()];
            rows[context.length - 1 + i] = out[i];
        }
        decoder.forward(caches, tokens, positions, n, rows);
        return out;
    }

    /**
     * The token's rank among the ids below {@code limit} other than {@code skip} (1 = the most probable; ties
     * share the better rank, as greedy decoding takes the lowest id among equal logits).
     */
    public static int rank(float[] logits, int token, int limit, int skip) {
        float v = logits[token];
        int above = 0;
        for (int i = 0; i < limit && i < logits.length; i++) {
            if (i != skip && logits[i] > v) {
                above++;
            }
        }
        return above + 1;
    }

    /** The token's probability under the softmax of all the logits. */
    public static double probability(float[] logits, int token) {
        float max = LogitsProcessors.max(logits);
        double sum = 0;
        for (float l : logits) {
            sum += Math.exp(l - max);
        }
        return Math.exp(logits[token] - max) / sum;
    }
}
