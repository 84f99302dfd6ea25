package ai.refinery.pipeline.filter;

import ai.refinery.core.config.ConfigError;
import ai.refinery.core.config.Settings;
import org.junit.jupiter.api.Test;

import java.util.List;

import static ai.refinery.pipeline.filter.Docs.assertKept;
import static ai.refinery.pipeline.filter.Docs.assertRejected;
import static ai.refinery.pipeline.filter.Docs.doc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class FineWebQualityFilterTest {
    /** The defaults of conf/refinery.conf: 0.12, 0.01, 0.67, 30, 0.3. */
    private final FineWebQualityFilter filter = FineWebQualityFilter.fromConfig(Docs.PAPER);

    /** A unique line of exactly {@code length} characters (at least 16) ending in '.'. */
    private static String line(int i, int length) {
        String prefix = String.format("Unique line %03d ", i);
        String line = prefix + "a".repeat(length - prefix.length() - 1) + ".";
        assertEquals(length, line.length());
        return line;
    }

    @Test
    void terminalPunctuationLines() {
        StringBuilder three = new StringBuilder();
        StringBuilder two = new StringBuilder();
        for (int i = 0; i < 25; i++) {
            String base = String.format("Line number %02d holds several words", i);
            three.append(base).append(i < 3 ? "." : "").append('\n');
            two.append(base).append(i < 2 ? "!" : "").append("\n\n");
        }
        // 3 of 25 lines end in terminal punctuation: 0.12.
        assertKept(filter.apply(doc(three.toString())));
        // 2 of 25 (blank lines do not count): 0.08.
        assertRejected(filter.apply(doc(two.toString())), "terminal_punctuation_lines", "0.08 < 0.12");
    }

    @Test
    void duplicateLineCharacters() {
        // Two copies of a 15-character line, 29 unique lines of 50 and one of 20: 30 + 1450 + 20 = 1500
        // characters besides newlines, 15 of them duplicated: 0.01.
        StringBuilder sb = new StringBuilder("Same line here.\n");
        for (int i = 0; i < 29; i++) {
            sb.append(line(i, 50)).append('\n');
        }
        sb.append("Same line here.\n");
        assertKept(filter.apply(doc(sb + line(99, 20))));
        // A 19-character last line: 15 / 1499.
        assertRejected(filter.apply(doc(sb + line(99, 19))), "duplicate_line_chars", "0.01001 > 0.01");
    }

    @Test
    void shortLines() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 33; i++) {
            sb.append(String.format("This is a longer line, number %d of the text.%n", i));
        }
        StringBuilder short67 = new StringBuilder(sb);
        for (int i = 0; i < 67; i++) {
            short67.append("Short line ").append(i).append(".\n");
        }
        // 67 of 100 lines shorter than 30 characters: 0.67.
        assertKept(filter.apply(doc(short67.toString())));
        // One long line shortened: 68 of 100.
        String text = short67.toString().replaceFirst("This is a longer line, number 0 of the text.", "Now short.");
        assertRejected(filter.apply(doc(text)), "short_lines", "0.68 > 0.67");

        // "Shorter than 30": a line of exactly 30 characters is not short.
        FineWebQualityFilter half = new FineWebQualityFilter(0.12, 0.01, 0.5, 30, 0.3, FilterDefinitions.PAPER);
        assertKept(half.apply(doc(line(1, 29) + "\n" + line(2, 30))));
        assertRejected(half.apply(doc(line(1, 29) + "\n" + line(2, 29))), "short_lines", "1 > 0.5");
        assertKept(half.apply(doc(line(1, 30) + "\n" + line(2, 30))));
    }

    @Test
    void newlinesPerWord() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            sb.append(i == 0 ? "" : "\n").append("Extraordinarily comprehensive documentation").append(i).append('.');
        }
        // 9 newlines, 30 words: 0.3.
        assertKept(filter.apply(doc(sb.toString())));
        // A trailing newline: 10 / 30.
        assertRejected(filter.apply(doc(sb + "\n")), "newline_word_ratio", "0.3333 > 0.3");
        // Blank lines are newlines too.
        assertRejected(filter.apply(doc(sb.toString().replaceFirst("\n", "\n\n"))), "newline_word_ratio", "0.3333 > 0.3");
    }

    @Test
    void emptyDocuments() {
        assertRejected(filter.apply(doc(" \n\t\n")), "empty", "no non-blank line");
        assertRejected(filter.apply(doc("")), "empty", "no non-blank line");
    }

    @Test
    void badSettingNamesTheKey() {
        ConfigError e = assertThrows(ConfigError.class, () -> FineWebQualityFilter.fromConfig(
                Settings.load(null, List.of("filter.fineweb_quality.max_short_line_ratio=1.5"))));
        assertEquals("filter.fineweb_quality.max_short_line_ratio: must be in [0.0, 1.0], got 1.5", e.getMessage());
    }
}
