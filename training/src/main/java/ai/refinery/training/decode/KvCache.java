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

    /** A copy holding the first {@code positions} positions, with room for {@code newCapacity}. */
    KvCache copy(int positions, int newCapacity) {
        KvCache c = new KvCache(keys, values, newCapacity);
        for (int l = 0; l < keys.length; l++) {
            for (int h = 0; h < keys[l].length; h++) {
                for (int d = 0; d < keys[l][h].length; d++) {
                    System.arraycopy(keys[l][h][d], 0, c.keys[l][h][d], 0, positions);
                }
                for (int t = 0; t < positions; t++) {
                    System.arraycopy(values[l][h][t], 0, c.values[l][h][t], 0, values[l][h][t].length);
                }
            }
        }
        c.length = positions;
        return c;
    }

    private KvCache(float[][][][] shapeKeys, float[][][][] shapeValues, int capacity) {
        this.capacity = capacity;
        int layers = shapeKeys.length;
        int heads = shapeKeys[0].length;
        int headSize = shapeKeys[0][0].length;
        keys = new float[layers][heads][headSize][capacity];
        values = new float[layers][heads][capacity][headSize];
    }
}
