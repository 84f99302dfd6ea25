package ai.refinery.training.decode;

import java.util.Arrays;
import java.util.Map;

/** The logits processors of the sampling chain; each is tested on known logit vectors. */
public final class LogitsProcessors {
    private static final float MINUS_INF = Float.NEGATIVE_INFINITY;

    private LogitsProcessors() {
    }

    /** Tokens that are never produced: ids at or above {@code limit} and the {@code excluded} id (padding). */
    public static LogitsProcessor mask(int limit, int excluded) {
        return (l, h) -> {
            for (int i = Math.max(0, limit); i < l.length; i++) {
                l[i] = MINUS_INF;
            }
            if (excluded >= 0 && excluded < l.length) {
                l[excluded] = MINUS_INF;
            }
        };
    }

    /** Adds a fixed score to listed tokens (the API's logit_bias; also the rule adapter's token scores). */
    public static LogitsProcessor bias(Map<Integer, Float> bias) {
        int[] ids = bias.keySet().stream().mapToInt(Integer::intValue).toArray();
        float[] values = new float[ids.length];
        for (int i = 0; i < ids.length; i++) {
            values[i] = bias.get(ids[i]);
        }
        return (l, h) -> {
            for (int i = 0; i < ids.length; i++) {
                if (ids[i] < l.length) {
                    l[ids[i]] += values[i];
                }
            }
        };
    }

    /**
     * The CTRL / Hugging Face repetition penalty: every token of the prompt or the response so far has its logit
     * divided by {@code penalty} when positive and multiplied by it when negative (1 is off).
     */
    public static LogitsProcessor repetition(float penalty) {
        return (l, h) -> {
            int[] seen = h.seenDistinct();
            for (int i = 0; i < h.seenDistinctCount(); i++) {
                int t = seen[i];
                if (t < l.length) {
                    l[t] = l[t] > 0 ? l[t] / penalty : l[t] * penalty;
                }
            }
        };
    }

    /**
     * OpenAI's frequency and presence penalties on the response's tokens: logit -= count x frequency + presence
     * for every token generated at least once. The rule adapter's "penalty on every token already used in the
     * response" is the presence part.
     */
    public static LogitsProcessor frequencyPresence(float frequency, float presence) {
        return (l, h) -> {
            int[] used = h.responseDistinct();
            for (int i = 0; i < h.responseDistinctCount(); i++) {
                int t = used[i];
                if (t < l.length) {
                    l[t] -= h.responseCount(t) * frequency + presence;
                }
            }
        };
    }

    /** The end-of-text score rising with the response length: + score x min(length, fullAt) / fullAt. */
    public static LogitsProcessor endOfTextRamp(int endOfText, float score, int fullAt) {
        return endOfTextRamp(new int[] {endOfText}, score, fullAt);
    }

    /** The ramp on every id that ends a response (end of text, and {@code <|end|>} in a chat). */
    public static LogitsProcessor endOfTextRamp(int[] endIds, float score, int fullAt) {
        int[] ids = endIds.clone();
        return (l, h) -> {
            float add = score * Math.min(h.length(), fullAt) / (float) fullAt;
            for (int id : ids) {
                if (id < l.length) {
                    l[id] += add;
                }
            }
        };
    }

    /** No end of text before {@code min} tokens are generated. */
    public static LogitsProcessor minTokens(int endOfText, int min) {
        return minTokens(new int[] {endOfText}, min);
    }

    /** None of the ids that end a response before {@code min} tokens are generated. */
    public static LogitsProcessor minTokens(int[] endIds, int min) {
        int[] ids = endIds.clone();
        return (l, h) -> {
            if (h.length() < min) {
                for (int id : ids) {
                    if (id < l.length) {
                        l[id] = MINUS_INF;
                    }
                }
            }
        };
    }

    public static LogitsProcessor temperature(float t) {
        float inv = 1f / t;
        return (l, h) -> {
            for (int i = 0; i < l.length; i++) {
                l[i] *= inv;
            }
        };
    }

    /** Keeps the k highest logits (the lowest ids among equal ones); the rest become negative infinity. */
    public static LogitsProcessor topK(int k) {
        return (l, h) -> {
            if (k >= l.length) {
                return;
            }
            float[] copy = l.clone();
            float threshold = kthLargest(copy, k);
            int above = 0;
            for (float v : l) {
                if (v > threshold) {
                    above++;
                }
            }
            int equalAllowed = k - above;
            for (int i = 0; i < l.length; i++) {
                if (l[i] < threshold || (l[i] == threshold && equalAllowed-- <= 0)) {
                    l[i] = MINUS_INF;
                }
            }
        };
    }

    /**
     * Nucleus: keeps the smallest set of most probable tokens (by decreasing probability, lowest id first among
     * equal ones) whose probability reaches p; the rest become negative infinity.
     */
    public static LogitsProcessor topP(float p) {
        return (l, h) -> {
            if (p >= 1) {
                return;
            }
            float max = max(l);
            double total = 0;
            for (float v : l) {
                total += Math.exp(v - max);
            }
            // Only tokens above a probability floor can be in the nucleus when those above it already reach p:
            // sort those few instead of the vocabulary; lower the floor in the rare case they do not.
            for (double floor = 1e-4; ; floor *= 1e-3) {
                double logFloor = Math.log(floor * total);
                int n = 0;
                double mass = 0;
                long[] keys = new long[16];
                for (int i = 0; i < l.length; i++) {
                    if (l[i] - max >= logFloor) {
                        if (n == keys.length) {
                            keys = Arrays.copyOf(keys, n * 2);
                        }
                        keys[n++] = orderKey(l[i], i);
                        mass += Math.exp(l[i] - max);
                    }
                }
                if (mass / total < p && floor > 1e-30) {
                    continue;
                }
                Arrays.sort(keys, 0, n);
                boolean[] keep = new boolean[l.length];
                double cumulative = 0;
                for (int j = 0; j < n; j++) {
                    int id = (int) (keys[j] & 0xffffffffL);
                    keep[id] = true;
                    cumulative += Math.exp(l[id] - max) / total;
                    if (cumulative >= p) {
                        break;
                    }
                }
                for (int i = 0; i < l.length; i++) {
                    if (!keep[i]) {
                        l[i] = MINUS_INF;
                    }
                }
                return;
            }
        };
    }

    /** Keeps the tokens whose probability is at least p times the most probable one's. */
    public static LogitsProcessor minP(float p) {
        return (l, h) -> {
            if (p <= 0) {
                return;
            }
            float threshold = max(l) + (float) Math.log(p);
            for (int i = 0; i < l.length; i++) {
                if (l[i] < threshold) {
                    l[i] = MINUS_INF;
                }
            }
        };
    }

    static float max(float[] l) {
        float m = MINUS_INF;
        for (float v : l) {
            m = Math.max(m, v);
        }
        return m;
    }

    /** A sort key: ascending keys are decreasing values, then increasing ids. */
    private static long orderKey(float value, int id) {
        int bits = Float.floatToIntBits(value);
        int ordered = bits >= 0 ? bits : bits ^ 0x7fffffff; // increasing with the value
        long descending = -(long) ordered;
        return (descending << 32) | (id & 0xffffffffL);
    }

    /** The k-th largest value (k >= 1) of a scratch array, by quickselect (the array is reordered). */
    static float kthLargest(float[] a, int k) {
        int lo = 0;
        int hi = a.length - 1;
        int target = k - 1;
        while (lo < hi) {
            float pivot = a[(lo + hi) >>> 1];
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (a[i] > pivot) {
                    i++;
                }
                while (a[j] < pivot) {
                    j--;
                }
                if (i <= j) {
                    float t = a[i];
                    a[i] = a[j];
                    a[j] = t;
                    i++;
                    j--;
                }
            }
            if (target <= j) {
                hi = j;
            } else if (target >= i) {
                lo = i;
            } else {
                return a[target];
            }
        }
        return a[target];
    }
}
