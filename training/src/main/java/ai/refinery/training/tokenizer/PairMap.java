package ai.refinery.training.tokenizer;

import java.io.Serializable;

/**
 * Open-addressing map from a pair of non-negative ints (packed in a long) to a long value. Kept primitive
 * because merge lookups are the inner loop of encoding, and boxed Long keys cost several times more.
 */
final class PairMap implements Serializable {
    private static final long serialVersionUID = 1L;
    static final long MISSING = Long.MIN_VALUE;
    private static final long EMPTY = -1L;

    private long[] keys;
    private long[] values;
    private int size;

    PairMap(int expected) {
        int capacity = Integer.highestOneBit(Math.max(4, expected * 2 - 1)) << 1;
        keys = new long[capacity];
        values = new long[capacity];
        java.util.Arrays.fill(keys, EMPTY);
    }

    static long key(int a, int b) {
        return ((long) a << 32) | (b & 0xFFFFFFFFL);
    }

    static int left(long key) {
        return (int) (key >>> 32);
    }

    static int right(long key) {
        return (int) key;
    }

    long get(int a, int b) {
        long k = key(a, b);
        int mask = keys.length - 1;
        for (int i = slot(k, mask); ; i = (i + 1) & mask) {
            long found = keys[i];
            if (found == k) {
                return values[i];
            }
            if (found == EMPTY) {
                return MISSING;
            }
        }
    }

    void put(int a, int b, long value) {
        if ((size + 1) * 2 > keys.length) {
            grow();
        }
        long k = key(a, b);
        int mask = keys.length - 1;
        for (int i = slot(k, mask); ; i = (i + 1) & mask) {
            if (keys[i] == k) {
                values[i] = value;
                return;
            }
            if (keys[i] == EMPTY) {
                keys[i] = k;
                values[i] = value;
                size++;
                return;
            }
        }
    }

    int size() {
        return size;
    }

    private void grow() {
        long[] oldKeys = keys;
        long[] oldValues = values;
        keys = new long[oldKeys.length * 2];
        values = new long[oldKeys.length * 2];
        java.util.Arrays.fill(keys, EMPTY);
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != EMPTY) {
                put(left(oldKeys[i]), right(oldKeys[i]), oldValues[i]);
            }
        }
    }

    private static int slot(long k, int mask) {
        long h = k * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }
}
