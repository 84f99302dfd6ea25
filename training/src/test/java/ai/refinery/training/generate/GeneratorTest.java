package ai.refinery.training.generate;

import ai.refinery.training.decode.Completion;
import ai.refinery.training.decode.PromptTooLongException;
import ai.refinery.training.decode.SamplingSettings;
import ai.refinery.training.model.GptModel;
import ai.refinery.training.tokenizer.BpeTokenizer;
import ai.refinery.training.tokenizer.SpecialTokens;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GeneratorTest {
    private static final int A = SpecialTokens.FIRST_BYTE_ID + 'a';
    private final BpeTokenizer tok = TinyModel.tokenizer();

    private Generator generator(ComputationGraph g) {
        return new Generator(g, tok);
    }

    /** Greedy decoding written independently: argmax of GptModel.probabilities at the last position. */
    private int[] manualGreedy(ComputationGraph g, int[] prompt, int steps) {
        int[] seq = Arrays.copyOf(prompt, prompt.length + steps);
        int len = prompt.length;
        int[] out = new int[steps];
        for (int s = 0; s < steps; s++) {
            INDArray p = GptModel.probabilities(g, new int[][] {Arrays.copyOf(seq, len)}, TinyModel.CONTEXT, SpecialTokens.PAD_ID);
            int best = -1;
            for (int v = 0; v < tok.vocabSize(); v++) {
                if (v != SpecialTokens.PAD_ID && (best < 0 || p.getDouble(0, v, len - 1) > p.getDouble(0, best, len - 1))) {
                    best = v;
                }
            }
            out[s] = best;
            seq[len++] = best;
        }
        return out;
    }

    @Test
    void greedyTakesTheArgmaxAtEveryStep() {
        ComputationGraph g = TinyModel.graph(5);
        TinyModel.bias(g, SpecialTokens.END_OF_TEXT_ID, -50); // never stop early
        int[] prompt = tok.encode("Hello");
        Completion c = generator(g).complete(prompt, SamplingSettings.greedy(6));
        assertArrayEquals(manualGreedy(g, prompt, 6), c.tokens());
        assertEquals(6, c.completionTokens());
        assertEquals(5, c.promptTokens());
        assertEquals(Completion.FinishReason.LENGTH, c.finishReason());
        assertEquals(tok.decode(c.tokens()), c.text());
    }

    @Test
    void topKOfOneIsGreedyWhateverTheSeedAndTemperature() {
        ComputationGraph g = TinyModel.graph(6);
        TinyModel.bias(g, SpecialTokens.END_OF_TEXT_ID, -50);
        Generator gen = generator(g);
        Completion greedy = gen.complete("abc", SamplingSettings.greedy(8));
        for (long seed = 1; seed <= 3; seed++) {
            SamplingSettings s = new SamplingSettings(8, 1.7, 1, 1.0, seed, List.of());
            assertArrayEquals(greedy.tokens(), gen.complete("abc", s).tokens());
        }
    }

    @Test
    void theSameSeedGivesTheSameCompletionAndAnotherSeedAnother() {
        ComputationGraph g = TinyModel.graph(7);
        TinyModel.bias(g, SpecialTokens.END_OF_TEXT_ID, -50);
        Generator gen = generator(g);
        SamplingSettings s = new SamplingSettings(10, 1.0, 0, 1.0, 42, List.of());
        Completion a = gen.complete("xyz", s);
        Completion b = gen.complete("xyz", s);
        // A second model instance (another generator, same weights) agrees too.
        Completion c = new Generator(g.clone(), tok).complete("xyz", s);
        assertArrayEquals(a.tokens(), b.tokens());
        assertArrayEquals(a.tokens(), c.tokens());
        // A near-uniform random model over 261 tokens: ten draws with another seed coincide with odds ~1e-24.
        assertFalse(Arrays.equals(a.tokens(), gen.complete("xyz", s.withSeed(43)).tokens()));
        assertNotEquals(Arrays.toString(a.tokens()), Arrays.toString(gen.complete("xyz", SamplingSettings.greedy(10)).tokens()));
    }

    @Test
    void stopsAtEndOfText() {
        ComputationGraph g = TinyModel.graph(8);
        TinyModel.bias(g, SpecialTokens.END_OF_TEXT_ID, 50);
        Completion c = generator(g).complete("Once upon", new SamplingSettings(20, 1.0, 0, 1.0, 3, List.of()));
        assertEquals("", c.text());
        assertEquals(0, c.completionTokens());
        assertEquals(Completion.FinishReason.STOP, c.finishReason());
    }

    @Test
    void aChatAnswerStopsAtEndOfTurnWhereAPlainCompletionDoesNot() {
        ComputationGraph g = TinyModel.graph(8);
        // <|end|> likely everywhere but held back for 2 tokens, 'a' next best: "aa", then the turn ends.
        TinyModel.bias(g, SpecialTokens.END_ID, 40);
        TinyModel.bias(g, A, 30);
        SamplingSettings s = SamplingSettings.greedy(6).withMinTokens(2);
        List<ai.refinery.core.sft.Message> chat = List.of(ai.refinery.core.sft.Message.user("Hi"));
        Completion c = generator(g).completeChats(List.of(chat), s).get(0);
        assertEquals("aa", c.text());
        assertEquals(2, c.completionTokens());
        assertArrayEquals(new int[] {A, A}, c.tokens());
        assertEquals(Completion.FinishReason.STOP, c.finishReason());
        assertEquals(generator(g).chatTemplate().generationPrompt(chat).length, c.promptTokens());
        // Without the chat settings <|end|> is an ordinary token: the completion runs to max_tokens.
        Completion plain = generator(g).complete(generator(g).chatTemplate().generationPrompt(chat), s);
        assertEquals(Completion.FinishReason.LENGTH, plain.finishReason());
        assertEquals(6, plain.completionTokens());
    }

    @Test
    void maxTokensAndTheContextBoundTheCompletion() {
        ComputationGraph g = TinyModel.graph(9);
        TinyModel.bias(g, SpecialTokens.END_OF_TEXT_ID, -50);
        Generator gen = generator(g);
        SamplingSettings s = new SamplingSettings(7, 0.8, 0, 0.95, 1, List.of());
        Completion c = gen.complete("ab", s);
        assertEquals(7, c.completionTokens());
        assertEquals(7, c.tokens().length);
        assertEquals(Completion.FinishReason.LENGTH, c.finishReason());
        Completion none = gen.complete("ab", s.withMaxTokens(0));
        assertEquals("", none.text());
        assertEquals(Completion.FinishReason.LENGTH, none.finishReason());
        // 14 prompt tokens in a context of 16: predictions at lengths 14, 15 and 16, then the context is full.
        Completion full = gen.complete("abcdefghijklmn", s.withMaxTokens(10));
        assertEquals(14, full.promptTokens());
        assertEquals(3, full.completionTokens());
        assertEquals(Completion.FinishReason.LENGTH, full.finishReason());
        // Exactly the context length is accepted; one more token is not.
        assertEquals(1, gen.complete("abcdefghijklmnop", s).completionTokens());
        PromptTooLongException e = assertThrows(PromptTooLongException.class, () -> gen.complete("abcdefghijklmnopq", s));
        assertEquals(17, e.tokens());
    }

    @Test
    void stopStringsEndTheCompletionBeforeThem() {
        ComputationGraph g = TinyModel.graph(10);
        TinyModel.bias(g, A, 50); // 'a' everywhere
        Generator gen = generator(g);
        Completion c = gen.complete("x", SamplingSettings.greedy(8).withStop(List.of("zz", "aaa")));
        assertEquals("", c.text());
        assertEquals(3, c.completionTokens());
        assertEquals(Completion.FinishReason.STOP, c.finishReason());
        Completion never = gen.complete("x", SamplingSettings.greedy(4).withStop(List.of("b")));
        assertEquals("aaaa", never.text());
        assertEquals(Completion.FinishReason.LENGTH, never.finishReason());
    }

    @Test
    void loadsTheNewestCheckpointOfARunFolderWithItsTokenizer(@TempDir Path dir) throws Exception {
        ComputationGraph older = TinyModel.graph(1);
        ComputationGraph newer = TinyModel.graph(2);
        Configuration conf = new Configuration();
        Path run = dir.resolve("my-run");
        ModelBundle.write(run.resolve("checkpoints/step-000000100").toString(), older, tok, conf);
        ModelBundle.write(run.resolve("checkpoints/step-000000200").toString(), newer, tok, conf);
        Files.createDirectories(run.resolve("checkpoints/_tmp-step-000000300")); // an unfinished checkpoint
        // The tokenizer sits in the run folder, not in the checkpoints.
        Files.move(run.resolve("checkpoints/step-000000200/tokenizer.json"), run.resolve("tokenizer.json"));
        Files.delete(run.resolve("checkpoints/step-000000100/tokenizer.json"));

        ModelBundle b = ModelBundle.load(run.toString(), conf);
        assertEquals("my-run/step-000000200", b.modelId());
        assertEquals(TinyModel.CONTEXT, b.contextLength());
        assertEquals(tok.vocabSize(), b.vocabSize());
        SamplingSettings s = new SamplingSettings(5, 1.0, 0, 1.0, 4, List.of());
        assertArrayEquals(generator(newer).complete("hi", s).tokens(), b.generator().complete("hi", s).tokens());
        // A checkpoint folder given directly finds the run's tokenizer two levels up.
        ModelBundle direct = ModelBundle.load(run.resolve("checkpoints/step-000000100").toString(), conf);
        assertEquals("my-run/step-000000100", direct.modelId());
        assertArrayEquals(generator(older).complete("hi", s).tokens(), direct.generator().complete("hi", s).tokens());
        // An exported model folder (model.zip + tokenizer.json) is its own id.
        ModelBundle.write(dir.resolve("export").toString(), newer, tok, conf);
        assertEquals("export", ModelBundle.load(dir.resolve("export").toString(), conf).modelId());
        assertThrows(java.io.UncheckedIOException.class, () -> ModelBundle.load(dir.resolve("nothing").toString(), conf));
    }
}
