package ai.refinery.pipeline.filter;

import ai.refinery.core.config.ConfigError;
import ai.refinery.core.config.Settings;
import ai.refinery.pipeline.doc.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static ai.refinery.pipeline.filter.Docs.assertKept;
import static ai.refinery.pipeline.filter.Docs.assertRejected;
import static ai.refinery.pipeline.filter.Docs.doc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class C4QualityFilterTest {
    private static final List<String> POLICY = List.of("terms of use", "privacy policy", "cookie policy", "uses cookies",
            "use of cookies", "use cookies");
    /** Five lines of one sentence and five words each. */
    private static final String BODY = "The first sentence is here.\nThe second sentence is here.\n"
            + "The third sentence is here.\nThe fourth sentence is here.\nThe fifth sentence is here.";

    /** The defaults of conf/refinery.conf. */
    private final C4QualityFilter filter = C4QualityFilter.fromConfig(Docs.PAPER);

    private static C4QualityFilter filter(boolean terminal, boolean lorem, boolean curly, int minSentences, List<String> badWords) {
        return new C4QualityFilter(terminal, 3, 1000, true, POLICY, lorem, curly, minSentences, true, badWords,
                FilterDefinitions.PAPER);
    }

    private String kept(C4QualityFilter f, String text) {
        Outcome outcome = f.apply(doc(text));
        assertKept(outcome);
        return outcome.document().text();
    }

    @Test
    void linesNeedThreeWords() {
        assertEquals(BODY + "\nThree words here", kept(filter, "Two words\n" + BODY + "\nThree words here\n- | -"));
    }

    @Test
    void linesWithAWordLongerThanTheLimitAreDropped() {
        String ok = "A long " + "x".repeat(1000) + " word.";
        String tooLong = "A long " + "x".repeat(1001) + " word.";
        assertEquals(BODY + "\n" + ok, kept(filter, BODY + "\n" + ok + "\n" + tooLong));
    }

    @Test
    void javascriptAndPolicyLinesAreDropped() {
        String text = "Please enable JavaScript to view this page.\n" + BODY + "\nRead our Privacy Policy for details.\n"
                + "This site USES COOKIES to work.\nThe cookie jar is empty today.";
        assertEquals(BODY + "\nThe cookie jar is empty today.", kept(filter, text));
    }

    @Test
    void loremIpsumAndCurlyBracketDropTheDocument() {
        assertRejected(filter.apply(doc(BODY + "\nLorem  ipsum? No: LOREM IPSUM dolor sit amet.")), "lorem_ipsum",
                "contains 'lorem ipsum'");
        assertRejected(filter.apply(doc(BODY + "\nfunction f() { return 1; }")), "curly_bracket", "contains '{'");
        // Both rules can be turned off.
        assertKept(filter(false, false, false, 5, List.of()).apply(doc(BODY + "\nLorem ipsum dolor sit amet { x }.")));
    }

    @Test
    void minimumSentences() {
        assertKept(filter.apply(doc(BODY)));
        String four = BODY.substring(0, BODY.lastIndexOf('\n'));
        assertRejected(filter.apply(doc(four)), "too_few_sentences", "4 < 5");
        // Sentences of dropped lines do not count.
        assertRejected(filter.apply(doc(four + "\nToo short.\nUse cookies here.")), "too_few_sentences", "4 < 5");
        // Two sentences on one line count as two.
        assertKept(filter.apply(doc(four + "\nOne more. And another")));
        assertRejected(filter.apply(doc("")), "too_few_sentences", "0 < 5");
    }

    @Test
    void citationMarkersAreStripped() {
        String line = "Paris is the capital[1] of France.[citation needed] It has[Edit] many people.[23] See [note] and [12a].";
        assertEquals(BODY + "\nParis is the capital of France. It has many people. See [note] and [12a].",
                kept(filter, BODY + "\n" + line));
        // A line left with too few words by the stripping is dropped.
        assertEquals(BODY, kept(filter, BODY + "\nFootnote here[1][2][3]"));
    }

    @Test
    void terminalPunctuationRuleIsOffByDefault() {
        String text = BODY + "\nThis line has no punctuation\nAnd it goes on...\nHe said \"yes.\"";
        assertEquals(text, kept(filter, text));
        assertEquals(BODY + "\nHe said \"yes.\"", kept(filter(true, true, true, 5, List.of()), text));
    }

    @Test
    void paragraphBreaksSurviveAsOneBlankLine() {
        C4QualityFilter any = filter(false, true, true, 0, List.of());
        assertEquals("First para line.\n\nSecond para line.", kept(any, "\n\n  First para line.  \n\n\n\nSecond para line.\n"));
        assertEquals("First para line.\n\nSecond para line.", kept(any, "First para line.\n\nMenu\n\nSecond para line."));
        assertEquals("First para line.\nSecond para line.", kept(any, "First para line.\nMenu\nSecond para line."));
    }

    @Test
    void anUnchangedDocumentIsReturnedAsIs() {
        Document doc = doc(BODY);
        assertSame(doc, filter.apply(doc).document());
    }

    @Test
    void badWordsAndPhrases() {
        C4QualityFilter f = filter(false, true, true, 5, List.of("badword", "Two Girls", "a$$"));
        assertKept(f.apply(doc(BODY + "\nA sentence with a word in it.")));
        assertRejected(f.apply(doc(BODY + "\nThis holds a BadWord, sadly.")), "bad_words", "contains 'BadWord'");
        assertRejected(f.apply(doc(BODY + "\nThere were two  girls here.")), "bad_words", "contains 'two  girls'");
        // Only the phrase matches, not its words alone; "a$$" is not a plain word and is not matched.
        assertKept(f.apply(doc(BODY + "\nTwo boys and girls and a cat.")));
    }

    @Test
    void badWordsFileFromSettings(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("bad.txt");
        Files.writeString(file, "# bad words\nbadword\n\nworse phrase  # comment\n");
        C4QualityFilter f = C4QualityFilter.fromConfig(Settings.load(null, List.of("filter.c4_quality.bad_words_file=" + file)));
        assertRejected(f.apply(doc(BODY + "\nA worse phrase is here.")), "bad_words", "contains 'worse phrase'");

        ConfigError e = assertThrows(ConfigError.class, () -> C4QualityFilter.fromConfig(
                Settings.load(null, List.of("filter.c4_quality.bad_words_file=" + dir.resolve("missing.txt")))));
        assertTrue(e.getMessage().startsWith("filter.c4_quality.bad_words_file: "), e.getMessage());
        e = assertThrows(ConfigError.class, () -> C4QualityFilter.fromConfig(
                Settings.load(null, List.of("filter.c4_quality.min_words_per_line=-1"))));
        assertTrue(e.getMessage().startsWith("filter.c4_quality.min_words_per_line: "), e.getMessage());
    }
}
