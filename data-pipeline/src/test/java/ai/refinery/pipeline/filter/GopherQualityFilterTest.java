package ai.refinery.pipeline.filter;

import ai.refinery.core.config.ConfigError;
import ai.refinery.core.config.Settings;
import org.junit.jupiter.api.Test;

import java.util.List;

import static ai.refinery.pipeline.filter.Docs.assertKept;
import static ai.refinery.pipeline.filter.Docs.assertRejected;
import static ai.refinery.pipeline.filter.Docs.doc;
import static ai.refinery.pipeline.filter.Docs.repeat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GopherQualityFilterTest {
    private static final List<String> STOP_WORDS = List.of("the", "be", "to", "of", "and", "that", "have", "with");

    /** The defaults of conf/refinery.conf. */
    private final GopherQualityFilter filter = GopherQualityFilter.fromConfig(Docs.PAPER);

    private static GopherQualityFilter withMaxWords(int maxWords) {
        return new GopherQualityFilter(50, maxWords, 3, 10, 0.1, 0.9, 0.3, 0.8, 2, STOP_WORDS, FilterDefinitions.PAPER);
    }

    /** "the and" + (n - 2) x "word": n words, mean length (6 + 4(n-2)) / n, two stop words. */
    private static String words(int n) {
        return "the and " + repeat("word", n - 2);
    }

    @Test
    void wordCountBounds() {
        assertKept(filter.apply(doc(words(50))));
        assertRejected(filter.apply(doc(words(49))), "too_few_words", "49 < 50");
        assertRejected(filter.apply(doc("")), "too_few_words", "0 < 50");
        // Punctuation-only tokens are not words.
        assertRejected(filter.apply(doc(words(49) + " - | ...")), "too_few_words", "49 < 50");

        assertKept(filter.apply(doc(words(100_000))));
        assertRejected(filter.apply(doc(words(100_001))), "too_many_words", "100001 > 100000");
        assertKept(withMaxWords(60).apply(doc(words(60))));
        assertRejected(withMaxWords(60).apply(doc(words(61))), "too_many_words", "61 > 60");
    }

    @Test
    void meanWordLengthBounds() {
        // 50 words of 3 characters: mean 3.
        assertKept(filter.apply(doc("the and " + repeat("cat", 48))));
        // One of them 2 characters: 149 / 50 = 2.98.
        assertRejected(filter.apply(doc("the and at " + repeat("cat", 47))), "avg_word_length", "2.98 < 3");

        // 3 + 3 + 46 x 10 + 2 x 17 = 500 characters in 50 words: mean 10.
        String ten = "abcdefghij";
        String seventeen = "abcdefghijklmnopq";
        assertKept(filter.apply(doc("the and " + repeat(ten, 46) + " " + seventeen + " " + seventeen)));
        // One more character: 501 / 50 = 10.02.
        assertRejected(filter.apply(doc("the and " + repeat(ten, 46) + " " + seventeen + " " + seventeen + "r")),
                "avg_word_length", "10.02 > 10");
    }

    @Test
    void symbolToWordRatio() {
        // 3 '#' and 2 ellipses among 50 words (tag, wait and 48 more): 5 / 50 = 0.1.
        assertKept(filter.apply(doc("# # #tag ... wait\u2026 " + words(48))));
        // One more '#': 6 / 50 = 0.12.
        assertRejected(filter.apply(doc("# # # #tag ... wait\u2026 " + words(48))), "symbol_word_ratio", "0.12 > 0.1");
        // Six dots are two ellipses: 4 + 2 = 6 symbols, 50 words (tag and 49 more).
        assertRejected(filter.apply(doc("# # # #tag ...... " + words(49))), "symbol_word_ratio", "0.12 > 0.1");
    }

    /** Ten lines of five words each (50 words); the first {@code bullets} start with a bullet. */
    private static String lines(int bullets, String bullet, int ellipses) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            sb.append(i < bullets ? bullet + " " : "").append("the cat and the dog")
                    .append(i < ellipses ? "..." : ".").append('\n');
        }
        return sb.toString();
    }

    @Test
    void bulletLines() {
        assertKept(filter.apply(doc(lines(9, "-", 0))));
        assertKept(filter.apply(doc(lines(9, "\u2022", 0))));
        assertRejected(filter.apply(doc(lines(10, "  *", 0))), "bullet_lines", "1 > 0.9");
        // Blank lines do not count: 10 of 10 non-blank lines, not 10 of 12.
        assertRejected(filter.apply(doc("\n" + lines(10, "\u2022", 0) + "\n")), "bullet_lines", "1 > 0.9");
    }

    @Test
    void ellipsisLines() {
        assertKept(filter.apply(doc(lines(0, "", 3))));
        assertRejected(filter.apply(doc(lines(0, "", 4))), "ellipsis_lines", "0.4 > 0.3");
    }

    @Test
    void wordsWithALetter() {
        // 40 of 50 words hold a letter: 0.8.
        assertKept(filter.apply(doc("the and " + repeat("word", 38) + " " + repeat("1234", 10))));
        // 39 of 50: 0.78.
        assertRejected(filter.apply(doc("the and " + repeat("word", 37) + " " + repeat("1234", 11))),
                "alpha_words", "0.78 < 0.8");
    }

    @Test
    void distinctStopWords() {
        assertKept(filter.apply(doc("The AND " + repeat("word", 48))));
        // "the" many times is still one distinct stop word.
        assertRejected(filter.apply(doc(repeat("the", 10) + " " + repeat("word", 40))), "stop_words", "1 < 2");
        assertRejected(filter.apply(doc(repeat("word", 50))), "stop_words", "0 < 2");
        // min_stop_words = 0 turns the rule off.
        GopherQualityFilter off = new GopherQualityFilter(50, 100000, 3, 10, 0.1, 0.9, 0.3, 0.8, 0, STOP_WORDS, FilterDefinitions.PAPER);
        assertKept(off.apply(doc(repeat("word", 50))));
    }

    @Test
    void badSettingsNameTheKey() {
        ConfigError e = assertThrows(ConfigError.class, () -> GopherQualityFilter.fromConfig(
                Settings.load(null, List.of("filter.gopher_quality.max_symbol_word_ratio=2"))));
        assertTrue(e.getMessage().startsWith("filter.gopher_quality.max_symbol_word_ratio: "), e.getMessage());

        e = assertThrows(ConfigError.class, () -> GopherQualityFilter.fromConfig(
                Settings.load(null, List.of("filter.gopher_quality.max_words=10"))));
        assertTrue(e.getMessage().startsWith("filter.gopher_quality.max_words: "), e.getMessage());

        e = assertThrows(ConfigError.class, () -> GopherQualityFilter.fromConfig(
                Settings.load(null, List.of("filter.gopher_quality.min_stop_words=9"))));
        assertTrue(e.getMessage().startsWith("filter.gopher_quality.min_stop_words: "), e.getMessage());

        e = assertThrows(ConfigError.class, () -> GopherQualityFilter.fromConfig(
                Settings.load(null, List.of("filter.gopher_quality.min_words=many"))));
        assertTrue(e.getMessage().startsWith("filter.gopher_quality.min_words: "), e.getMessage());
    }

    @Test
    void settingsAreRead() {
        GopherQualityFilter strict = GopherQualityFilter.fromConfig(
                Settings.load(null, List.of("filter.gopher_quality.min_words=60")));
        assertRejected(strict.apply(doc(words(59))), "too_few_words", "59 < 60");
        assertEquals("gopher_quality", strict.name());
    }

    @Test
    void aKeptDocumentCarriesEveryMeasuredValueAndARejectedOneThoseUpToTheFailingRule() {
        // 50 words: "the and" + 48 x "word"; mean length (3 + 3 + 48 * 4) / 50 = 3.96; one line, no symbols.
        Outcome kept = filter.apply(doc(words(50)));
        assertKept(kept);
        assertEquals(List.of("words", "mean_word_length", "symbol_word_ratio", "bullet_lines_ratio",
                "ellipsis_lines_ratio", "alpha_words_ratio", "stop_words"), List.copyOf(kept.measures().keySet()));
        assertEquals(50.0, kept.measures().get("words"));
        assertEquals(3.96, kept.measures().get("mean_word_length"), 1e-12);
        assertEquals(0.0, kept.measures().get("symbol_word_ratio"));
        assertEquals(1.0, kept.measures().get("alpha_words_ratio"));
        assertEquals(2.0, kept.measures().get("stop_words"));

        Outcome rejected = filter.apply(doc("# # # #tag ... wait\u2026 " + words(48)));
        assertEquals(0.12, rejected.measures().get("symbol_word_ratio"), 1e-12);
        assertEquals(List.of("words", "mean_word_length", "symbol_word_ratio"), List.copyOf(rejected.measures().keySet()));
    }
}
