package ai.refinery.training.tokenizer;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.refinery.training.Corpora;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Cross-check with the reference implementation: the Hugging Face tokenizers library (Rust, through DJL's
 * binding, whose jar carries the native library) loads our tokenizer.json and must give the same ids.
 */
class DjlCrossCheckTest {
    @Test
    void referenceLoaderGivesTheSameIds(@TempDir Path dir) throws Exception {
        Map<String, String> texts = Corpora.languageTests();
        BpeTokenizer tok = TokenizerTrainer.learn(BpeTokenizerTest.table(texts.values()),
                new TokenizerSettings(3000, 2, 1_000_000, "text"));
        Path file = dir.resolve("tokenizer.json");
        tok.save(file);

        List<String> samples = new ArrayList<>();
        for (String text : texts.values()) {
            // Whole files and single lines: long inputs and line-boundary whitespace both get checked.
            samples.add(text);
            samples.addAll(Arrays.asList(text.split("\n")).subList(0, Math.min(20, text.split("\n").length)));
        }
        samples.add(Corpora.EMOJI_AND_EDGES);
        samples.add("<|system|>Be brief.<|end|><|user|>What's 2+2?<|end|><|assistant|>4<|end|><|endoftext|>");

        try (HuggingFaceTokenizer ref = HuggingFaceTokenizer.builder()
                .optTokenizerPath(file)
                .optAddSpecialTokens(false)
                .optTruncation(false)
                .optPadding(false)
                .build()) {
            long tokens = 0;
            for (String s : samples) {
                Encoding e = ref.encode(s);
                int[] theirs = Arrays.stream(e.getIds()).mapToInt(Math::toIntExact).toArray();
                int[] ours = tok.encode(s);
                assertArrayEquals(theirs, ours, () -> "differs on: " + s.substring(0, Math.min(80, s.length())));
                assertEquals(s, ref.decode(e.getIds(), false));
                tokens += ours.length;
            }
            System.out.println("cross-checked " + samples.size() + " texts, " + tokens + " tokens");
        }
    }
}
