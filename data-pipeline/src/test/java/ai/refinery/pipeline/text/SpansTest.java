package ai.refinery.pipeline.text;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SpansTest {

    static List<String> texts(CharSequence text, Spans spans) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < spans.size(); i++) {
            out.add(text.subSequence(spans.start(i), spans.end(i)).toString());
        }
        return out;
    }

    @Test
    void wordsAreWhitespaceTokensTrimmedOfPunctuation() {
        String text = "  (Hello, world!) -- it's   e.g. #tag\u00A0100% | \u2022 caf\u00E9 \uD83D\uDE00 \uD83D\uDE00ok";
        assertEquals(List.of("Hello", "world", "it's", "e.g", "tag", "100", "caf\u00E9", "ok"),
                texts(text, Spans.words(text)));
    }

    @Test
    void wordsOfARegion() {
        String text = "one two three four";
        assertEquals(List.of("two", "three"), texts(text, Spans.words(text, 4, 13)));
    }

    @Test
    void noWordsInBlankOrPunctuationOnlyText() {
        assertEquals(0, Spans.words("").size());
        assertEquals(0, Spans.words(" \n\t ").size());
        assertEquals(0, Spans.words("- | ... ###").size());
    }

    @Test
    void linesDropTerminatorsAndTheEmptyTail() {
        String text = "a\r\nb\n\n  c  \n";
        assertEquals(List.of("a", "b", "", "  c  "), texts(text, Spans.lines(text)));
        assertEquals(List.of("x"), texts("x", Spans.lines("x")));
        assertEquals(0, Spans.lines("").size());
    }

    @Test
    void paragraphsAreSeparatedByBlankLinesAndTrimmed() {
        String text = "\n  first line\nsecond line \n \t\n\nthird\n\n";
        assertEquals(List.of("first line\nsecond line", "third"), texts(text, Spans.paragraphs(text)));
    }
}
