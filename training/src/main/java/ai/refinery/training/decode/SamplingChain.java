package ai.refinery.training.decode;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Sampling as a chain of logits processors, then a pick. The order:
 * <ol>
 *   <li>mask: ids the tokenizer does not have and padding are never produced;</li>
 *   <li>logit_bias; repetition penalty; frequency and presence penalties;</li>
 *   <li>the rule-based adapter when on (end-of-text ramp, token scores, response repetition penalty);</li>
 *   <li>minimum length (no end of text before min_tokens);</li>
 *   <li>when sampling: temperature, top-k, top-p, min-p;</li>
 * </ol>
 * then the argmax (greedy; the lowest id among equal logits) or a draw from the softmax of what is left, walking
 * the ids in order with one uniform number from the sequence's own generator.
 */
public final class SamplingChain {
    private final List<LogitsProcessor> processors;
    private final boolean greedy;

    public SamplingChain(List<LogitsProcessor> processors, boolean greedy) {
        this.processors = List.copyOf(processors);
        this.greedy = greedy;
    }

    /** The chain of {@code s} for a vocabulary of the given special ids and rule processors. */
    static SamplingChain of(SamplingSettings s, int sampleLimit, int pad, int endOfText, List<LogitsProcessor> rules) {
        int[] ends = s.endIds(endOfText);
        List<LogitsProcessor> p = new ArrayList<>();
        p.add(LogitsProcessors.mask(sampleLimit, pad));
        if (!s.logitBias().isEmpty()) {
            java.util.Map<Integer, Float> bias = new java.util.LinkedHashMap<>();
            s.logitBias().forEach((k, v) -> bias.put(k, v.floatValue()));
            p.add(LogitsProcessors.bias(bias));
        }
        if (s.repetitionPenalty() != 1) {
            p.add(LogitsProcessors.repetition((float) s.repetitionPenalty()));
        }
        if (s.frequencyPenalty() != 0 || s.presencePenalty() != 0) {
            p.add(LogitsProcessors.frequencyPresence((float) s.frequencyPenalty(), (float) s.presencePenalty()));
        }
        p.addAll(rules);
        if (s.minTokens() > 0) {
            p.add(LogitsProcessors.minTokens(ends, s.minTokens()));
        }
        boolean greedy = s.isGreedy();
        if (!greedy) {
            if (s.temperature() != 1) {
                p.add(LogitsProcessors.temperature((float) s.temperature()));
            }
            if (s.topK() > 0) {
                p.add(LogitsProcessors.topK(s.topK()));
            }
            if (s.topP() < 1) {
                p.add(LogitsProcessors.topP((float) s.topP()));
            }
            if (s.minP() > 0) {
                p.add(LogitsProcessors.minP((float) s.minP()));
            }
        }
        return new SamplingChain(p, greedy);
    }

    /** Runs the processors on the logits (in place) and picks the next token. */
    public int next(float[] logits, TokenHistory history, SplittableRandom random) {
        for (float v : logits) {
            if (Float.isNaN(v)) {
                throw new IllegalStateException("the model gave NaN logits (broken weights or activations)");
            }
        }
        for (LogitsProcessor p : processors) {
            p.process(logits, history);
        }
        return greedy ? argmax(logits) : draw(logits, random);
    }

    /** The index of the largest value, the lowest among equal ones; -1 when every value is negative infinity. */
    static int argmax(float[] l) {
        int best = -1;
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < l.length; i++) {
            if (l[i] > max) {
                max = l[i];
                best = i;
            }
        }
        return best;
    }

    /** A draw from softmax(l): one uniform number, the ids walked in increasing order. */
    static int draw(float[] l, SplittableRandom random) {
        float max = LogitsProcessors.max(l);
        if (max == Float.NEGATIVE_INFINITY) {
            return -1;
        }
        double total = 0;
        for (float v : l) {
            if (v != Float.NEGATIVE_INFINITY) {
                total += Math.exp(v - max);
            }
        }
        double u = random.nextDouble() * total;
        int last = -1;
        for (int i = 0; i < l.length; i++) {
            if (l[i] != Float.NEGATIVE_INFINITY) {
                u -= Math.exp(l[i] - max);
                last = i;
                if (u < 0) {
                    return i;
                }
            }
        }
        return last;
    }
}
