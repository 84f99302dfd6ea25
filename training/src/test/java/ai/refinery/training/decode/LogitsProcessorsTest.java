package ai.refinery.training.decode;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each processor's effect on a known logit vector, and the chain's draws on a known distribution. */
class LogitsProcessorsTest {
    private static final float NEG = Float.NEGATIVE_INFINITY;

    private static float[] run(LogitsProcessor p, float[] logits, TokenHistory h) {
        float[] l = logits.clone();
        p.process(l, h);
        return l;
    }

    private static TokenHistory history(int[] prompt, int... generated) {
        TokenHistory h = new TokenHistory(prompt, 6);
        for (int t : generated) {
            h.add(t);
        }
        return h;
    }

    @Test
    void maskBiasAndPenalties() {
        float[] l = {2, -1, 0.5f, 3, -2, 1};
        TokenHistory none = history(new int[0]);
        assertArrayEquals(new float[] {2, NEG, 0.5f, 3, NEG, NEG}, run(LogitsProcessors.mask(4, 1), l, none));
        assertArrayEquals(new float[] {2, -1, 10.5f, -97, -2, 1},
                run(LogitsProcessors.bias(Map.of(2, 10f, 3, -100f)), l, none));
        // Repetition 2 on tokens of the prompt (0, 1) and of the response (3): positive halved, negative doubled.
        TokenHistory h = history(new int[] {0, 1, 0}, 3, 3, 5);
        assertArrayEquals(new float[] {1, -2, 0.5f, 1.5f, -2, 0.5f}, run(LogitsProcessors.repetition(2), l, h));
        // Frequency 0.5 x count + presence 1, on response tokens only (3 twice, 5 once; not the prompt's 0 and 1).
        assertArrayEquals(new float[] {2, -1, 0.5f, 3 - 2, -2, 1 - 1.5f},
                run(LogitsProcessors.frequencyPresence(0.5f, 1), l, h));
        assertEquals(3, h.length());
        assertEquals(2, h.responseCount(3));
    }

    @Test
    void lengthRules() {
        float[] l = {0, 0, 0};
        // End-of-text ramp: + 15 x len / 250, capped at 250 tokens.
        TokenHistory h = new TokenHistory(new int[0], 3);
        for (int i = 0; i < 50; i++) {
            h.add(1);
        }
        assertEquals(3.0f, run(LogitsProcessors.endOfTextRamp(0, 15, 250), l, h)[0], 1e-6);
        for (int i = 0; i < 300; i++) {
            h.add(2);
        }
        assertEquals(15.0f, run(LogitsProcessors.endOfTextRamp(0, 15, 250), l, h)[0], 1e-6);
        // Minimum length: no end of text before 3 tokens.
        TokenHistory two = new TokenHistory(new int[0], 3);
        two.add(1);
        two.add(1);
        assertEquals(NEG, run(LogitsProcessors.minTokens(0, 3), l, two)[0]);
        two.add(2);
        assertEquals(0f, run(LogitsProcessors.minTokens(0, 3), l, two)[0]);
    }

    @Test
    void aChatsEndTokenCountsAsEndOfText() {
        float[] l = {0, 0, 0, 0};
        TokenHistory two = new TokenHistory(new int[0], 4);
        two.add(1);
        two.add(1);
        // Both end ids (end of text 0 and <|end|> 3) held back before 3 tokens, and raised by the ramp.
        int[] ends = new SamplingSettings(8, 0, 0, 1, 1, List.of()).withStopTokenIds(List.of(3)).endIds(0);
        assertArrayEquals(new int[] {0, 3}, ends);
        assertArrayEquals(new float[] {NEG, 0, 0, NEG}, run(LogitsProcessors.minTokens(ends, 3), l, two));
        assertArrayEquals(new float[] {15 * 2 / 250f, 0, 0, 15 * 2 / 250f}, run(LogitsProcessors.endOfTextRamp(ends, 15, 250), l, two));
        assertThrows(ai.refinery.core.config.ConfigError.class,
                () -> new SamplingSettings(8, 0, 0, 1, 1, List.of()).withStopTokenIds(List.of(4)).checkVocabulary(4));
    }

    @Test
    void truncations() {
        TokenHistory none = history(new int[0]);
        float[] l = {1, 3, 2, 3, 0, -1};
        assertArrayEquals(new float[] {0.5f, 1.5f, 1, 1.5f, 0, -0.5f}, run(LogitsProcessors.temperature(2), l, none));
        // Top-k 2 with a tie at the top: the lowest ids among equal values.
        assertArrayEquals(new float[] {NEG, 3, NEG, 3, NEG, NEG}, run(LogitsProcessors.topK(2), l, none));
        assertArrayEquals(new float[] {NEG, 3, 2, 3, NEG, NEG}, run(LogitsProcessors.topK(3), l, none));
        assertArrayEquals(l, run(LogitsProcessors.topK(6), l, none));
        // Probabilities 0.1, 0.5, 0.3, 0.1: top-p 0.45 keeps the first alone, 0.7 needs the second, 0.85 the third.
        float[] p = logs(0.1, 0.5, 0.3, 0.1);
        assertArrayEquals(new float[] {NEG, p[1], NEG, NEG}, run(LogitsProcessors.topP(0.45f), p, none));
        assertArrayEquals(new float[] {NEG, p[1], p[2], NEG}, run(LogitsProcessors.topP(0.7f), p, none));
        float[] top85 = run(LogitsProcessors.topP(0.85f), p, none);
        assertEquals(3, countFinite(top85)); // 0.5 + 0.3 + the lower id of the two 0.1s
        assertEquals(p[0], top85[0]);
        // Min-p 0.7: at least 0.35 (0.7 x the best, 0.5): only 0.5 itself; 0.3 (at least 0.15) keeps 0.3 too.
        assertEquals(1, countFinite(run(LogitsProcessors.minP(0.7f), p, none)));
        assertArrayEquals(new float[] {NEG, p[1], p[2], NEG}, run(LogitsProcessors.minP(0.3f), p, none));
    }

    @Test
    void topPOnAVocabularyWithALongTail() {
        // 1,000 tokens: the nucleus of 0.9 must be found among many tiny probabilities.
        float[] l = new float[1000];
        for (int i = 0; i < l.length; i++) {
            l[i] = -i * 0.01f;
        }
        float[] kept = run(LogitsProcessors.topP(0.9f), l, history(new int[0]));
        double total = 0;
        for (float v : l) {
            total += Math.exp(v);
        }
        int n = countFinite(kept);
        double mass = 0;
        for (int i = 0; i < n; i++) {
            assertEquals(l[i], kept[i]); // the most probable first, contiguous
            mass += Math.exp(l[i]) / total;
        }
        assertTrue(mass >= 0.9 && mass - Math.exp(l[n - 1]) / total < 0.9, "smallest set reaching 0.9");
    }

    @Test
    void theChainPicksGreedilyOrDrawsFromWhatIsLeft() {
        float[] p = logs(0.1, 0.5, 0.3, 0.1);
        TokenHistory none = new TokenHistory(new int[0], 4);
        SplittableRandom r = new SplittableRandom(1);
        SamplingSettings greedy = SamplingSettings.greedy(1);
        assertEquals(1, SamplingChain.of(greedy, 4, -1, 3, List.of()).next(p.clone(), none, r));
        assertEquals(2, SamplingChain.of(greedy, 4, 1, 3, List.of()).next(p.clone(), none, r)); // padding is never chosen
        assertEquals(0, SamplingChain.of(greedy, 2, -1, 3, List.of()).next(logs(0.3, 0.3, 0.4), none, r)); // limit; tie
        int[] topK2 = counts(p, new SamplingSettings(1, 1.0, 2, 1.0, 0, List.of()), 20000);
        assertEquals(0, topK2[0] + topK2[3]);
        assertEquals(0.625, topK2[1] / 20000.0, 0.015); // 0.5 / (0.5 + 0.3)
        int[] topP7 = counts(p, new SamplingSettings(1, 1.0, 0, 0.7, 0, List.of()), 20000);
        assertEquals(0, topP7[0] + topP7[3]);
        // Temperature 0.5 squares the probabilities: 0.01 : 0.25 : 0.09 : 0.01 (sum 0.36).
        int[] cold = counts(p, new SamplingSettings(1, 0.5, 0, 1.0, 0, List.of()), 40000);
        assertEquals(0.25 / 0.36, cold[1] / 40000.0, 0.012);
        assertEquals(0.01 / 0.36, cold[3] / 40000.0, 0.005);
        // A bias of +100 on token 3 makes it certain even when sampling.
        int[] biased = counts(p, new SamplingSettings(1, 1.0, 0, 1.0, 0, List.of()).withLogitBias(Map.of(3, 100.0)), 1000);
        assertEquals(1000, biased[3]);
    }

    @Test
    void settingsOutOfRangeNameTheirKey() {
        SamplingSettings s = SamplingSettings.greedy(4);
        assertTrue(assertThrows(RuntimeException.class, () -> s.withMinP(1.5)).getMessage().startsWith("generate.min_p"));
        assertTrue(assertThrows(RuntimeException.class, () -> s.withMinTokens(5)).getMessage().startsWith("generate.min_tokens"));
        assertTrue(assertThrows(RuntimeException.class, () -> s.withPenalties(0, 0, 0)).getMessage()
                .startsWith("generate.repetition_penalty"));
        assertTrue(assertThrows(RuntimeException.class, () -> s.withPenalties(1, 2.5, 0)).getMessage()
                .startsWith("generate.frequency_penalty"));
        assertTrue(assertThrows(RuntimeException.class, () -> s.withLogitBias(Map.of(1, 101.0))).getMessage()
                .startsWith("generate.logit_bias"));
        assertTrue(assertThrows(RuntimeException.class, () -> s.withLogprobs(21)).getMessage().startsWith("generate.logprobs"));
    }

    private static int[] counts(float[] logits, SamplingSettings s, int n) {
        SplittableRandom r = new SplittableRandom(99);
        SamplingChain chain = SamplingChain.of(s, logits.length, -1, logits.length - 1, List.of());
        int[] c = new int[logits.length];
        for (int i = 0; i < n; i++) {
            c[chain.next(logits.clone(), new TokenHistory(new int[0], logits.length), r)]++;
        }
        return c;
    }

    private static float[] logs(double... p) {
        float[] l = new float[p.length];
        for (int i = 0; i < p.length; i++) {
            l[i] = (float) Math.log(p[i]);
        }
        return l;
    }

    private static int countFinite(float[] l) {
        int n = 0;
        for (float v : l) {
            if (v != NEG) {
                n++;
            }
        }
        return n;
    }
}
