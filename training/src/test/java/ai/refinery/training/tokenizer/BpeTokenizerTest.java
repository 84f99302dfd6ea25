package ai.refinery.training.tokenizer;

import ai.refinery.training.Corpora;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.Tuple2;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The tokenizer learned (without Spark) from the 16 language-test texts. */
class BpeTokenizerTest {
    static Map<String, String> texts;
    static BpeTokenizer tok;

    @BeforeAll
    static void train() throws Exception {
        texts = Corpora.languageTests();
        tok = TokenizerTrainer.learn(table(texts.values()), new TokenizerSettings(2000, 2, 1_000_000, "text"));
    }

    static List<Tuple2<String, Long>> table(Iterable<String> docs) {
        Map<String, Long> counts = new HashMap<>();
        for (String d : docs) {
            for (String p : PreTokenizer.split(d)) {
                counts.merge(p, 1L, Long::sum);
            }
        }
        List<Tuple2<String, Long>> out = new ArrayList<>();
        counts.forEach((k, v) -> out.add(new Tuple2<>(k, v)));
        return out;
    }

    @Test
    void vocabularyHasTheRequestedSizeAndFixedSpecialIds() {
        assertEquals(2000, tok.vocabSize());
        assertEquals(2000 - 262, tok.merges().size());
        for (int i = 0; i < SpecialTokens.ALL.size(); i++) {
            assertEquals(i, tok.idOf(SpecialTokens.ALL.get(i)));
        }
        assertEquals(SpecialTokens.FIRST_BYTE_ID + 'a', tok.idOf("a"));
        assertEquals(SpecialTokens.FIRST_BYTE_ID + ' ', tok.idOf("Ġ"));
    }

    @Test
    void roundTripsRealMultilingualText() {
        for (Map.Entry<String, String> e : texts.entrySet()) {
            int[] ids = tok.encode(e.getValue());
            assertEquals(e.getValue(), tok.decode(ids), e.getKey());
            // Merges learned from this text must compress it well below one token per byte.
            int bytes = e.getValue().getBytes(StandardCharsets.UTF_8).length;
            assertTrue(ids.length < bytes * 0.6, e.getKey() + ": " + ids.length + " tokens for " + bytes + " bytes");
        }
        String edges = Corpora.EMOJI_AND_EDGES;
        assertEquals(edges, tok.decode(tok.encode(edges)));
        assertEquals("", tok.decode(tok.encode("")));
    }

    @Test
    void specialTokensAreSingleIds() {
        int[] ids = tok.encode("<|user|>Hi<|end|><|assistant|>Hello<|endoftext|>");
        assertEquals(SpecialTokens.USER_ID, ids[0]);
        assertEquals(SpecialTokens.ASSISTANT_ID, ids[ids.length - 1 - tok.encode("Hello").length - 1]);
        assertEquals(SpecialTokens.END_OF_TEXT_ID, ids[ids.length - 1]);
        assertEquals(3, Arrays.stream(tok.encode("<|pad|><|system|><|end|>")).distinct().count());
        assertArrayEquals(new int[] {1, 2, 5}, tok.encode("<|pad|><|system|><|end|>"));
        // Plain-text encoding never yields a special id: web pages cannot inject separators.
        int[] plain = tok.encodeOrdinary("a<|endoftext|>b");
        assertTrue(Arrays.stream(plain).allMatch(id -> id >= SpecialTokens.FIRST_BYTE_ID));
        assertEquals("a<|endoftext|>b", tok.decode(plain));
    }

    @Test
    void longPiecesMergeAsShortOnes() {
        Random r = new Random(7);
        String greek = texts.get("el");
        for (int i = 0; i < 200; i++) {
            int from = r.nextInt(greek.length() - 200);
            byte[] b = greek.substring(from, from + 10 + r.nextInt(150)).getBytes(StandardCharsets.UTF_8);
            assertArrayEquals(tok.encodePiece(b, false), tok.encodePiece(b, true));
        }
        byte[] dashes = "-".repeat(5000).getBytes(StandardCharsets.UTF_8);
        assertEquals("-".repeat(5000), tok.decode(tok.encodePiece(dashes, false)));
    }

    @Test
    void savedFileLoadsBackWithIdenticalBehaviour(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("tokenizer.json");
        tok.save(file);
        BpeTokenizer back = BpeTokenizer.load(file);
        assertEquals(tok.vocabSize(), back.vocabSize());
        assertEquals(tok.vocab(), back.vocab());
        for (int i = 0; i < tok.merges().size(); i++) {
            assertArrayEquals(tok.merges().get(i), back.merges().get(i));
        }
        for (String text : texts.values()) {
            assertArrayEquals(tok.encode(text), back.encode(text));
        }
        String json = Files.readString(file);
        assertTrue(json.contains("\"type\" : \"BPE\"") && json.contains("\"type\" : \"ByteLevel\""));
    }

    @Test
    void rejectsFilesItCannotReproduce(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("tokenizer.json");
        tok.save(file);
        String json = Files.readString(file).replace("\"add_prefix_space\" : false", "\"add_prefix_space\" : true");
        Files.writeString(file, json);
        assertThrows(java.io.IOException.class, () -> BpeTokenizer.load(file));
    }

    @Test
    void decodeRejectsUnknownIds() {
        assertThrows(IllegalArgumentException.class, () -> tok.decode(new int[] {tok.vocabSize()}));
    }
}
