package ai.refinery.training.decode;

import ai.refinery.training.generate.TinyModel;
import ai.refinery.training.model.GptModel;
import ai.refinery.training.tokenizer.BpeTokenizer;
import ai.refinery.training.tokenizer.SpecialTokens;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BatchDecoderTest {
    private static final BpeTokenizer TOK = TinyModel.tokenizer();
    private static final int A = SpecialTokens.FIRST_BYTE_ID + 'a';

    private static BatchDecoder decoder(ComputationGraph g, int maxBatch, int maxRows) {
        return new BatchDecoder(DecoderWeights.from(g), TOK, maxBatch, maxRows);
    }

    private static List<int[]> prompts(String... texts) {
        List<int[]> p = new ArrayList<>();
        for (String t : texts) {
            p.add(TOK.encode(t));
        }
        return p;
    }

    @Test
    void theSamePromptGivesTheSameTextWhateverTheBatchItIsIn() {
        ComputationGraph g = TinyModel.graph(21);
        TinyModel.bias(g, SpecialTokens.END_OF_TEXT_ID, -3);
        SamplingSettings s = new SamplingSettings(10, 1.3, 0, 0.98, 77, List.of()).withMinP(0.001)
                .withPenalties(1.1, 0.2, 0.1);
        List<int[]> all = prompts("Once", "upon a time", "", "zzz", "The cat sat", "q", "ab", "hello there");
        List<Completion> alone = new ArrayList<>();
        for (int[] p : all) {
            alone.add(decoder(g, 1, 512).generate(List.of(p), s).get(0));
        }
        // All together; in batches of 3 with prompts cut into 2-row pieces; reversed.
        List<Completion> together = decoder(g, 16, 512).generate(all, s);
        List<Completion> small = decoder(g, 3, 2).generate(all, s);
        List<int[]> reversed = new ArrayList<>(all);
        java.util.Collections.reverse(reversed);
        List<Completion> back = decoder(g, 5, 7).generate(reversed, s);
        for (int i = 0; i < all.size(); i++) {
            assertArrayEquals(alone.get(i).tokens(), together.get(i).tokens(), "prompt " + i);
            assertArrayEquals(alone.get(i).tokens(), small.get(i).tokens(), "prompt " + i);
            assertArrayEquals(alone.get(i).tokens(), back.get(all.size() - 1 - i).tokens(), "prompt " + i);
            assertEquals(alone.get(i).text(), together.get(i).text());
        }
        // Sampling did happen: the same prompt with another seed gives another text.
        int changed = 0;
        for (int i = 0; i < all.size(); i++) {
            if (!Arrays.equals(alone.get(i).tokens(),
                    decoder(g, 1, 512).generate(List.of(all.get(i)), s.withSeed(78)).get(0).tokens())) {
                changed++;
            }
        }
        assertTrue(changed >= all.size() / 2, "another seed changed " + changed + " of " + all.size());
    }

    @Test
    void logprobsAreTheModelsOwnBeforeTheProcessors() {
        ComputationGraph g = TinyModel.graph(4);
        TinyModel.bias(g, SpecialTokens.END_OF_TEXT_ID, -50);
        int[] prompt = TOK.encode("Hey");
        // The bias changes what is picked, not the reported log-probabilities.
        SamplingSettings s = SamplingSettings.greedy(3).withLogprobs(5).withLogitBias(Map.of(A, 100.0));
        Completion c = decoder(g, 4, 512).generate(List.of(prompt), s).get(0);
        assertArrayEquals(new int[] {A, A, A}, c.tokens());
        assertEquals(3, c.logprobs().size());
        int[] seq = Arrays.copyOf(prompt, prompt.length + 3);
        for (int i = 0; i < 3; i++) {
            seq[prompt.length + i] = A;
        }
        INDArray p = GptModel.probabilities(g, new int[][] {seq}, TinyModel.CONTEXT, SpecialTokens.PAD_ID);
        for (int i = 0; i < 3; i++) {
            Completion.TokenLogprobs t = c.logprobs().get(i);
            int pos = prompt.length - 1 + i;
            assertEquals(A, t.chosen().id());
            assertEquals("a", t.chosen().text());
            assertEquals(Math.log(p.getDouble(0, A, pos)), t.chosen().logprob(), 1e-4);
            assertEquals(5, t.top().size());
            for (int k = 0; k < 5; k++) {
                Completion.Alternative alt = t.top().get(k);
                assertEquals(Math.log(p.getDouble(0, alt.id(), pos)), alt.logprob(), 1e-4);
                if (k > 0) {
                    assertTrue(alt.logprob() <= t.top().get(k - 1).logprob());
                }
            }
        }
        assertEquals(null, decoder(g, 4, 512).generate(List.of(prompt), SamplingSettings.greedy(3)).get(0).logprobs());
    }

    @Test
    void theRuleBasedAdapterAsProcessors() {
        RuleSet rules = RuleSet.load("classpath:refinery/decoding-rules.conf", "generate.rules_file");
        assertEquals(15.0, rules.eosScore());
        assertEquals(250, rules.eosLength());
        assertEquals(1.5, rules.repeatPenalty());
        assertEquals(-6.0, rules.tokenScores().get("should"));
        // Byte-level tokens: "I" and "|" each match one token; "\n" matches the newline byte.
        Map<Integer, Float> bias = rules.tokenBias(TOK);
        assertEquals(-5f, bias.get(SpecialTokens.FIRST_BYTE_ID + 'I'));
        assertEquals(-4f, bias.get(SpecialTokens.FIRST_BYTE_ID + '|'));
        assertEquals(1f, bias.get(SpecialTokens.FIRST_BYTE_ID + '\n'));

        // A model that always says 'a': the response penalty (-1.5 per used token) and the end-of-text ramp
        // (+15 x len / 250) change what it says and make it stop.
        ComputationGraph g = TinyModel.graph(8);
        TinyModel.bias(g, A, 8);
        TinyModel.bias(g, SpecialTokens.END_OF_TEXT_ID, -6);
        SamplingSettings greedy = SamplingSettings.greedy(TinyModel.CONTEXT - 2);
        Completion plain = decoder(g, 2, 512).generate(prompts("x"), greedy).get(0);
        assertEquals("a".repeat(plain.completionTokens()), plain.text());
        RuleSet strong = new RuleSet(400, 10, Map.of(), 20, "test");
        Completion ruled = decoder(g, 2, 512).generate(prompts("x"), greedy.withRules(strong)).get(0);
        assertNotEquals(plain.text(), ruled.text());
        assertEquals(1, ruled.text().chars().filter(ch -> ch == 'a').count()); // used once, then penalised
        assertEquals(Completion.FinishReason.STOP, ruled.finishReason());
        assertTrue(ruled.completionTokens() < plain.completionTokens());
        // Parsing errors name the file.
        RuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
                () -> RuleSet.parse("eos_score = 1", "my-rules.conf"));
        assertTrue(e.getMessage().startsWith("my-rules.conf"), e.getMessage());
    }

    @Test
    void minTokensAndStopStrings() {
        ComputationGraph g = TinyModel.graph(6);
        TinyModel.bias(g, SpecialTokens.END_OF_TEXT_ID, 30); // would stop at once
        Completion early = decoder(g, 2, 512).generate(prompts("x"), SamplingSettings.greedy(8)).get(0);
        assertEquals(0, early.completionTokens());
        Completion held = decoder(g, 2, 512).generate(prompts("x"), SamplingSettings.greedy(8).withMinTokens(4)).get(0);
        assertEquals(4, held.completionTokens());
        assertEquals(Completion.FinishReason.STOP, held.finishReason());
    }
}
