package ai.refinery.pipeline.filter;

import ai.refinery.core.config.ConfigError;
import ai.refinery.core.config.Settings;
import org.junit.jupiter.api.Test;

import java.util.List;

import static ai.refinery.pipeline.filter.Docs.assertKept;
import static ai.refinery.pipeline.filter.Docs.assertRejected;
import static ai.refinery.pipeline.filter.Docs.doc;
import static ai.refinery.pipeline.filter.Docs.filler;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class GopherRepetitionFilterTest {
    private static final double[] NONE = {};

    /** The defaults of conf/refinery.conf. */
    private final GopherRepetitionFilter filter = GopherRepetitionFilter.fromConfig(Docs.PAPER);

    private static String join(String separator, int unique, String repeated, int copies) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < unique; i++) {
            sb.append("Unique text number ").append(i).append('.').append(separator);
        }
        for (int i = 0; i < copies; i++) {
            sb.append(repeated).append(separator);
        }
        return sb.toString();
    }

    @Test
    void duplicateParagraphFraction() {
        GopherRepetitionFilter only = new GopherRepetitionFilter(1, 0.3, 1, 1, NONE, NONE, FilterDefinitions.PAPER);
        // 10 paragraphs, 4 copies of one: 3 of them are duplicates, 3 / 10 = 0.3.
        assertKept(only.apply(doc(join("\n\n", 6, "The same paragraph.", 4))));
        // 5 copies: 4 / 10 = 0.4.
        assertRejected(only.apply(doc(join("\n\n", 5, "The same paragraph.", 5))), "duplicate_paragraphs", "0.4 > 0.3");
        assertRejected(filter.apply(doc(join("\n\n", 5, "The same paragraph.", 5))), "duplicate_paragraphs", "0.4 > 0.3");
    }

    @Test
    void duplicateParagraphCharacters() {
        GopherRepetitionFilter only = new GopherRepetitionFilter(1, 1, 1, 0.2, NONE, NONE, FilterDefinitions.PAPER);
        String d = "abcdefghij";
        // 26 + 2 + 10 + 2 + 10 = 50 characters, 10 of them in the second copy: 0.2.
        assertKept(only.apply(doc("u".repeat(26) + "\n\n" + d + "\n\n" + d)));
        // 49 characters: 10 / 49.
        assertRejected(only.apply(doc("u".repeat(25) + "\n\n" + d + "\n\n" + d)), "duplicate_paragraph_chars", "0.2041 > 0.2");
    }

    @Test
    void duplicateLineFractionIgnoresBlankLines() {
        GopherRepetitionFilter only = new GopherRepetitionFilter(0.3, 1, 1, 1, NONE, NONE, FilterDefinitions.PAPER);
        assertKept(only.apply(doc(join("\n", 6, "The same line.", 4))));
        // 4 duplicates among 10 non-blank lines; four blank lines would make it 4 / 14 if they counted.
        assertRejected(only.apply(doc("\n\n" + join("\n", 5, "The same line.", 5) + "\n  \n")),
                "duplicate_lines", "0.4 > 0.3");
    }

    @Test
    void duplicateLineCharacters() {
        GopherRepetitionFilter only = new GopherRepetitionFilter(1, 1, 0.2, 1, NONE, NONE, FilterDefinitions.PAPER);
        String d = "abcdefghij";
        // 28 + 1 + 10 + 1 + 10 = 50 characters, 10 duplicated: 0.2.
        assertKept(only.apply(doc("u".repeat(28) + "\n" + d + "\n" + d)));
        assertRejected(only.apply(doc("u".repeat(27) + "\n" + d + "\n" + d)), "duplicate_line_chars", "0.2041 > 0.2");
        // Lines are compared trimmed; the padded copy counts its 10 characters: 23 + 1 + 10 + 1 + 14 = 49.
        assertRejected(only.apply(doc("u".repeat(23) + "\n" + d + "\n  " + d + "  ")), "duplicate_line_chars", "0.2041 > 0.2");
    }

    @Test
    void topTwoGram() {
        // 40 word characters; "xx yy" twice: 2 * 4 / 40 = 0.2.
        assertKept(filter.apply(doc("xx yy aaaa bbbb cccc dddd xx yy eeee ffff gggg hhhh")));
        // 39 word characters: 8 / 39.
        assertRejected(filter.apply(doc("xx yy aaaa bbbb cccc dddd xx yy eeee ffff gggg hhh")), "top_2gram", "0.2051 > 0.2");
    }

    @Test
    void topThreeGram() {
        // "aa bb cc" three times (18 characters) and 41 two-letter filler words (82): 18 / 100 = 0.18.
        // The top 2-gram "aa bb" holds 12 / 100, below its 0.2.
        assertKept(filter.apply(doc("aa bb cc " + filler(0, 14) + " aa bb cc " + filler(14, 14) + " aa bb cc " + filler(28, 13))));
        // 40 filler words: 18 / 98.
        assertRejected(filter.apply(doc("aa bb cc " + filler(0, 14) + " aa bb cc " + filler(14, 14) + " aa bb cc " + filler(28, 12))),
                "top_3gram", "0.1837 > 0.18");
    }

    @Test
    void topFourGram() {
        // "aa bb cc dd" twice (16 characters) and 42 filler words (84): 16 / 100 = 0.16.
        assertKept(filter.apply(doc("aa bb cc dd " + filler(0, 21) + " aa bb cc dd " + filler(21, 21))));
        assertRejected(filter.apply(doc("aa bb cc dd " + filler(0, 21) + " aa bb cc dd " + filler(21, 20))),
                "top_4gram", "0.1633 > 0.16");
    }

    @Test
    void duplicatedFiveGram() {
        String g = "ab cd ef gh ij";
        // Three copies of a 5-gram (30 characters) and 85 filler words (170): 30 / 200 = 0.15. The top 4-gram
        // holds 3 * 8 / 200 = 0.12, below 0.16.
        assertKept(filter.apply(doc(g + " " + filler(0, 30) + " " + g + " " + filler(30, 30) + " " + g + " " + filler(60, 25))));
        // 84 filler words: 30 / 198.
        assertRejected(filter.apply(doc(g + " " + filler(0, 30) + " " + g + " " + filler(30, 30) + " " + g + " " + filler(60, 24))),
                "duplicated_5gram", "0.1515 > 0.15");
    }

    @Test
    void duplicatedTenGram() {
        String g = "ab cd ef gh ij kl mn op rs tu";
        // Two copies of a 10-gram (40 characters) and 180 filler words (360): 40 / 400 = 0.1 for every n from 5
        // to 10, within 0.15 .. 0.10.
        assertKept(filter.apply(doc(g + " " + filler(0, 90) + "\n" + g + " " + filler(90, 90))));
        // 179 filler words: 40 / 398 = 0.1005, within 0.11 for 9-grams but above 0.10 for 10-grams.
        assertRejected(filter.apply(doc(g + " " + filler(0, 90) + "\n" + g + " " + filler(90, 89))),
                "duplicated_10gram", "0.1005 > 0.1");
    }

    @Test
    void emptyAndUniqueTextsAreKept() {
        assertKept(filter.apply(doc("")));
        assertKept(filter.apply(doc("One short line.")));
    }

    @Test
    void badListSettingsNameTheKey() {
        ConfigError e = assertThrows(ConfigError.class, () -> GopherRepetitionFilter.fromConfig(
                Settings.load(null, List.of("filter.gopher_repetition.max_top_ngram_char_fraction=[0.2, 1.5, 0.16]"))));
        assertEquals("filter.gopher_repetition.max_top_ngram_char_fraction: element 2 must be in [0, 1], got 1.5", e.getMessage());
        e = assertThrows(ConfigError.class, () -> GopherRepetitionFilter.fromConfig(
                Settings.load(null, List.of("filter.gopher_repetition.max_duplicate_line_fraction=-0.1"))));
        assertEquals("filter.gopher_repetition.max_duplicate_line_fraction: must be in [0.0, 1.0], got -0.1", e.getMessage());
    }
}
