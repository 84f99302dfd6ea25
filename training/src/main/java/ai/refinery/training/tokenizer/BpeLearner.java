package ai.refinery.training.tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Learns BPE merges from a table of distinct words (pre-tokens as byte-token ids) and their counts.
 *
 * <p>Incremental: pair counts are computed once; each merge then touches only the words that contain the
 * merged pair (found through a per-pair list of word indices), adjusting the counts of the pairs in those
 * words. The best pair comes from a max-heap with lazy deletion: an entry whose count no longer matches
 * the pair's current count is stale and skipped. Ties on count go to the smaller (left id, right id), so
 * the result does not depend on the order of the words.
 */
final class BpeLearner {
    private BpeLearner() {
    }

    /**
     * @param words      each word's symbols (ids below firstNewId); arrays are rewritten in place
     * @param counts     each word's count in the corpus
     * @param numMerges  merges to learn at most
     * @param minCount   stop when the best pair occurs fewer times than this
     * @param firstNewId id of the first merged token; merge i creates id firstNewId + i
     * @return the merges in order, as {left id, right id}
     */
    static List<int[]> learn(int[][] words, long[] counts, int numMerges, long minCount, int firstNewId) {
        Pairs pairs = new Pairs(1 << 16);
        for (int w = 0; w < words.length; w++) {
            int[] s = words[w];
            for (int i = 0; i + 1 < s.length; i++) {
                int slot = pairs.slot(s[i], s[i + 1]);
                pairs.count[slot] += counts[w];
                pairs.addWord(slot, w);
            }
        }
        PairHeap heap = new PairHeap(pairs, pairs.size * 2);
        for (int slot = 0; slot < pairs.size; slot++) {
            heap.push(pairs.count[slot], slot);
        }

        List<int[]> merges = new ArrayList<>(numMerges);
        int[] seenAtMerge = new int[words.length];
        Arrays.fill(seenAtMerge, -1);
        IntList touched = new IntList(1024);
        while (merges.size() < numMerges && !heap.isEmpty()) {
            long count = heap.topCount();
            int slot = heap.pop();
            if (count != pairs.count[slot] || count <= 0) {
                continue; // stale entry
            }
            if (count < minCount) {
                break;
            }
            int m = merges.size();
            int a = PairMap.left(pairs.keys[slot]);
            int b = PairMap.right(pairs.keys[slot]);
            int newId = firstNewId + m;
            merges.add(new int[] {a, b});

            int[] where = pairs.words[slot];
            int whereSize = pairs.wordCount[slot];
            pairs.words[slot] = null;
            pairs.wordCount[slot] = 0;
            for (int k = 0; k < whereSize; k++) {
                int w = where[k];
                if (seenAtMerge[w] == m) {
                    continue;
                }
                seenAtMerge[w] = m;
                int[] s = words[w];
                int[] merged = mergeWord(s, a, b, newId);
                if (merged == null) {
                    continue; // the word lost this pair to an earlier merge
                }
                long c = counts[w];
                for (int i = 0; i + 1 < s.length; i++) {
                    pairs.add(pairs.slot(s[i], s[i + 1]), -c, touched);
                }
                for (int i = 0; i + 1 < merged.length; i++) {
                    int p = pairs.slot(merged[i], merged[i + 1]);
                    pairs.add(p, c, touched);
                    if (merged[i] == newId || merged[i + 1] == newId) {
                        pairs.addWord(p, w);
                    }
                }
                words[w] = merged;
            }
            for (int t = 0; t < touched.size; t++) {
                int p = touched.data[t];
                pairs.touched[p] = false;
                if (pairs.count[p] != pairs.countBefore[p] && pairs.count[p] > 0) {
                    heap.push(pairs.count[p], p);
                }
            }
            touched.size = 0;
        }
        return merges;
    }

    /** The word with every (a, b) replaced by newId left to right, or null when (a, b) does not occur. */
    static int[] mergeWord(int[] s, int a, int b, int newId) {
        int[] out = null;
        int j = 0;
        for (int i = 0; i < s.length; i++) {
            if (i + 1 < s.length && s[i] == a && s[i + 1] == b) {
                if (out == null) {
                    out = new int[s.length - 1];
                    System.arraycopy(s, 0, out, 0, i);
                    j = i;
                }
                out[j++] = newId;
                i++;
            } else if (out != null) {
                out[j++] = s[i];
            }
        }
        return out == null ? null : Arrays.copyOf(out, j);
    }

    /** Pair table: a slot per distinct pair with its count and the words it occurs in. */
    private static final class Pairs {
        final PairMap index;
        long[] keys;
        long[] count;
        long[] countBefore;
        boolean[] touched;
        int[][] words;
        int[] wordCount;
        int size;

        Pairs(int capacity) {
            index = new PairMap(capacity);
            keys = new long[capacity];
            count = new long[capacity];
            countBefore = new long[capacity];
            touched = new boolean[capacity];
            words = new int[capacity][];
            wordCount = new int[capacity];
        }

        int slot(int a, int b) {
            long v = index.get(a, b);
            if (v != PairMap.MISSING) {
                return (int) v;
            }
            if (size == keys.length) {
                int n = size * 2;
                keys = Arrays.copyOf(keys, n);
                count = Arrays.copyOf(count, n);
                countBefore = Arrays.copyOf(countBefore, n);
                touched = Arrays.copyOf(touched, n);
                words = Arrays.copyOf(words, n);
                wordCount = Arrays.copyOf(wordCount, n);
            }
            int slot = size++;
            keys[slot] = PairMap.key(a, b);
            index.put(a, b, slot);
            return slot;
        }

        void add(int slot, long delta, IntList touchedList) {
            if (!touched[slot]) {
                touched[slot] = true;
                countBefore[slot] = count[slot];
                touchedList.add(slot);
            }
            count[slot] += delta;
        }

        void addWord(int slot, int w) {
            int n = wordCount[slot];
            int[] list = words[slot];
            if (n > 0 && list[n - 1] == w) {
                return;
            }
            if (list == null) {
                list = new int[2];
            } else if (n == list.length) {
                list = Arrays.copyOf(list, n * 2);
            }
            list[n] = w;
            words[slot] = list;
            wordCount[slot] = n + 1;
        }
    }

    /** Max-heap of (count, slot); ties go to the smaller pair key. */
    private static final class PairHeap {
        private final Pairs pairs;
        private long[] counts;
        private int[] slots;
        private int size;

        PairHeap(Pairs pairs, int capacity) {
            this.pairs = pairs;
            counts = new long[Math.max(4, capacity)];
            slots = new int[Math.max(4, capacity)];
        }

        boolean isEmpty() {
            return size == 0;
        }

        long topCount() {
            return counts[0];
        }

        private boolean before(long c1, int s1, long c2, int s2) {
            return c1 != c2 ? c1 > c2 : pairs.keys[s1] < pairs.keys[s2];
        }

        void push(long c, int slot) {
            if (size == counts.length) {
                counts = Arrays.copyOf(counts, size * 2);
                slots = Arrays.copyOf(slots, size * 2);
            }
            int i = size++;
            while (i > 0) {
                int parent = (i - 1) >>> 1;
                if (!before(c, slot, counts[parent], slots[parent])) {
                    break;
                }
                counts[i] = counts[parent];
                slots[i] = slots[parent];
                i = parent;
            }
            counts[i] = c;
            slots[i] = slot;
        }

        int pop() {
            int top = slots[0];
            long lastC = counts[--size];
            int lastS = slots[size];
            int i = 0;
            while (true) {
                int child = 2 * i + 1;
                if (child >= size) {
                    break;
                }
                if (child + 1 < size && before(counts[child + 1], slots[child + 1], counts[child], slots[child])) {
                    child++;
                }
                if (!before(counts[child], slots[child], lastC, lastS)) {
                    break;
                }
                counts[i] = counts[child];
                slots[i] = slots[child];
                i = child;
            }
            counts[i] = lastC;
            slots[i] = lastS;
            return top;
        }
    }

    private static final class IntList {
        int[] data;
        int size;

        IntList(int capacity) {
            data = new int[capacity];
        }

        void add(int v) {
            if (size == data.length) {
                data = Arrays.copyOf(data, size * 2);
            }
            data[size++] = v;
        }
    }
}
