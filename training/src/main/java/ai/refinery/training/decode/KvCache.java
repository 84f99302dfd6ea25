package ai.refinery.training.decode;

/**
 * One sequence's keys and values of every layer and head, for the positions computed so far. Keys are stored
 * transposed ([layer][head][dimension][position]) so that the scores of a query against all cached positions
 * are a few vectorisable passes over contiguous arrays; values are [layer][head][position][dimension].
 */
final class KvCache {
    final float[][][][] keys;
    final float[][][][] values;
    final int capacity;
    /** Positions whose keys and values are stored (0 .. length - 1). */
    int length;

    /** @param capacity positions it can hold (at most the model's context length) */
    KvCache(DecoderWeights w, int capacity) {
        this.capacity = capacity;
        int layers = w.blocks.length;
        keys = new float[layers][w.heads][w.headSize][capacity];
        values = new float[layers][w.heads][capacity][w.headSize];
    }
}
