package ai.refinery.training.decode;

import ai.refinery.training.generate.TinyModel;
import ai.refinery.training.tokenizer.BpeTokenizer;
import ai.refinery.training.tokenizer.SpecialTokens;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One prompt run once for many settings gives what each settings gives alone. */
class SharedPromptTest {
    private static final BpeTokenizer TOK = TinyModel.tokenizer();

    @Test
    void aSharedPromptGivesEachSettingsItsOwnCompletion() {
        ComputationGraph g = TinyModel.graph(5);
        TinyModel.bias(g, SpecialTokens.END_OF_TEXT_ID, -2);
        DecoderWeights w = DecoderWeights.from(g);
        SamplingSettings sampled = new SamplingSettings(9, 1.2, 0, 0.97, 1, List.of());
        List<SamplingSettings> settings = new ArrayList<>();
        settings.add(SamplingSettings.greedy(6));
        for (int i = 0; i < 6; i++) {
            settings.add(sampled.withSeed(100 + i));
        }
        settings.add(SamplingSettings.greedy(0));
        settings.add(sampled.withSeed(3).withMaxTokens(2).withStop(List.of("e")));
        for (String text : new String[] {"Once upon", "", "abcdefghijk"}) {
            int[] prompt = TOK.encode(text);
            // Prompt pieces of 4 rows: a long prompt runs in several forward calls.
            BatchDecoder shared = new BatchDecoder(w, TOK, 4, 4);
            List<Sequence> seqs = shared.startShared(prompt, settings);
            shared.run(seqs);
            Set<String> texts = new HashSet<>();
            for (int i = 0; i < settings.size(); i++) {
                Completion alone = new BatchDecoder(w, TOK, 1, 512).generate(List.of(prompt), settings.get(i)).get(0);
                Completion got = seqs.get(i).completion();
                assertArrayEquals(alone.tokens(), got.tokens(), "'" + text + "', settings " + i);
                assertEquals(alone.text(), got.text());
                assertEquals(alone.finishReason(), got.finishReason());
                texts.add(got.text());
            }
            assertEquals(0, seqs.get(settings.size() - 2).completion().completionTokens());
            assertTrue(texts.size() > 3, "the sampled continuations differ: " + texts);
        }
    }
}
