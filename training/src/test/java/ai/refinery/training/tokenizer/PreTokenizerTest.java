package ai.refinery.training.tokenizer;

import ai.refinery.training.Corpora;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PreTokenizerTest {
    private static final Pattern GPT2 = Pattern.compile(PreTokenizer.GPT2_PATTERN, Pattern.UNICODE_CHARACTER_CLASS);

    private static List<String> byRegex(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = GPT2.matcher(text);
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }

    @Test
    void splitsLikeGpt2() {
        assertEquals(List.of("Hello", ",", " world", "!"), PreTokenizer.split("Hello, world!"));
        assertEquals(List.of("It", "'s", " 42", "nd", " ..."), PreTokenizer.split("It's 42nd ..."));
        // A whitespace run leaves its last space to the next word; a lone newline stands alone.
        assertEquals(List.of("a", "  ", " b", "\n", "c", "  "), PreTokenizer.split("a   b\nc  "));
        assertEquals(List.of("x", " '", "s", "'ll"), PreTokenizer.split("x 's'll"));
        // Kana and kanji are all letters; Thai vowel marks are not, so they split Thai words.
        assertEquals(List.of("東京は", "2024", "年"), PreTokenizer.split("東京は2024年"));
        assertEquals(List.of("สงครามอ", "ั", "งกฤษ"), PreTokenizer.split("สงครามอังกฤษ"));
    }

    @Test
    void matchesTheRegularExpressionOnRealText() throws Exception {
        Map<String, String> texts = Corpora.languageTests();
        texts.put("edges", Corpora.EMOJI_AND_EDGES);
        for (Map.Entry<String, String> e : texts.entrySet()) {
            assertEquals(byRegex(e.getValue()), PreTokenizer.split(e.getValue()), e.getKey());
        }
    }

    @Test
    void piecesCoverTheText() throws Exception {
        for (String text : Corpora.languageTests().values()) {
            assertEquals(text, String.join("", PreTokenizer.split(text)));
        }
    }
}
