package ai.refinery.pipeline.text;

/**
 * Counts occurrences of 64-bit keys (hashes) in an open-addressing table of primitives: no boxing, no
 * per-entry objects. Not thread-safe; meant to live for one document.
 */
public final class LongCounter {
    /** Stands in for the key 0, which marks an empty slot. */
    private static final long ZERO_KEY = 0x5DEECE66DL;

    private long[] keys;
    private int[] counts;
    private int mask;
    private int size;

    public LongCounter(int expectedKeys) {
        int capacity = Integer.highestOneBit(Math.max(16, expectedKeys * 2 - 1)) << 1;
        keys = new long[capacity];
        counts = new int[capacity];
        mask = capacity - 1;
    }

    /** Adds one occurrence of key and returns its count including this one. */
    public int add(long key) {
        if (key == 0) {
            key = ZERO_KEY;
        }
        int slot = slot(key);
        while (true) {
            long k = keys[slot];
            if (k == key) {
                return ++counts[slot];
            }
            if (k == 0) {
                keys[slot] = key;
                counts[slot] = 1;
                if (++size * 2 > keys.length) {
                    grow();
                }
                return 1;
            }
            slot = (slot + 1) & mask;
        }
    }

    public int get(long key) {
        if (key == 0) {
            key = ZERO_KEY;
        }
        int slot = slot(key);
        while (true) {
            long k = keys[slot];
            if (k == key) {
                return counts[slot];
            }
            if (k == 0) {
                return 0;
            }
            slot = (slot + 1) & mask;
        }
    }

    /**
     * For a key already added: true the first time it is claimed, false afterwards (its count then reads
     * negative). Lets one pass over counted keys remember which it has met, without a second table.
     */
    public boolean claim(long key) {
        if (key == 0) {
            key = ZERO_KEY;
        }
        int slot = slot(key);
        while (keys[slot] != key) {
            if (keys[slot] == 0) {
                throw new IllegalArgumentException("key was never added");
            }
            slot = (slot + 1) & mask;
        }
        if (counts[slot] < 0) {
            return false;
        }
        counts[slot] = -counts[slot];
        return true;
    }

    /** Number of distinct keys. */
    public int size() {
        return size;
    }

    private int slot(long key) {
        return (int) (key ^ (key >>> 32)) & mask;
    }

    private void grow() {
        long[] oldKeys = keys;
        int[] oldCounts = counts;
        keys = new long[oldKeys.length * 2];
        counts = new int[keys.length];
        mask = keys.length - 1;
        for (int i = 0; i < oldKeys.length; i++) {
            long k = oldKeys[i];
            if (k != 0) {
                int slot = slot(k);
                while (keys[slot] != 0) {
                    slot = (slot + 1) & mask;
                }
                keys[slot] = k;
                counts[slot] = oldCounts[i];
            }
        }
    }
}
