package ai.refinery.pipeline.text;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Words and sentences as datatrove's English tokenizer (spaCy's) gives them; each expected list was produced by
 * datatrove 0.10 with spaCy 3.8 on the same string. DatatroveParityTest checks the same on 1,200 real documents.
 */
class DatatroveWordsTest {

    private static List<String> words(String text) {
        Spans spans = DatatroveWords.words(text);
        List<String> words = new ArrayList<>();
        for (int i = 0; i < spans.size(); i++) {
            words.add(text.substring(spans.start(i), spans.end(i)));
        }
        return words;
    }

    @Test
    void punctuationIsMadeOfWordsOfItsOwnAndContractionsSplit() {
        assertEquals(List.of("Hello", ",", "world", "!", "Do", "n't", "panic", "...", "It", "'s", "10", "km", "away",
                "(", "roughly", ")", "."), words("Hello, world! Don't panic... It's 10km away (roughly)."));
        assertEquals(List.of("U.S.", "citizens", "ca", "n't", "vote", "twice", ";", "we", "'re", "sure", "they", "'d",
                "know", "."), words("U.S. citizens can't vote twice; we're sure they'd know."));
    }

    @Test
    void abbreviationsUrlsHyphensAndUnits() {
        assertEquals(List.of("Mr.", "Smith", "paid", "$", "5.50", "for", "3", "e", "-", "books", ",", "i.e.", "a",
                "bargain", ":", "see", "http://example.com/a?b=c", "."),
                words("Mr. Smith paid $5.50 for 3 e-books, i.e. a bargain: see http://example.com/a?b=c."));
        assertEquals(List.of("Größe", ":", "5", "m²", ",", "20", "°", "C", ".", "Gon", "na", "do", "it", "."),
                words("Größe: 5m², 20°C. Gonna do it."));
        assertEquals(List.of("The", "1990s", "-", "era", "café", "'s", "\"", "menu", "\"", "listed", "100", "%",
                "crème", "brûlée—€4", "."), words("The 1990s-era café's \"menu\" listed 100% crème brûlée—€4."));
    }

    @Test
    void emoticonsAndInfixPeriods() {
        assertEquals(List.of("Read", "the", "docs", ":)", "Then", "run", "`", "make", "-j4", "`", "\u2014", "done", "!"),
                words("Read the docs:)  Then run `make -j4` \u2014 done!"));
        assertEquals(List.of("end", ".", "The", "next", "line", "and", "a", "tab"), words("end.The next line\tand a tab"));
        // Tokens that spell an exception are joined again: ( = = ) -> (= =).
        assertEquals(List.of("(=", "=)", "and", "):"), words("(==) and ):"));
    }

    @Test
    void sentencesFollowTheSentencizer() {
        assertEquals(4, DatatroveWords.countSentences("One. Two! Three? Four", 0, 21));
        String mr = "Mr. Smith went to Washington. He stayed.";
        assertEquals(2, DatatroveWords.countSentences(mr, 0, mr.length()));
        String dots = "Wait... what? No!!";
        assertEquals(2, DatatroveWords.countSentences(dots, 0, dots.length()));
        String note = "A sentence (with a note.) Next one.";
        assertEquals(2, DatatroveWords.countSentences(note, 0, note.length()));
        assertEquals(0, DatatroveWords.countSentences("   ", 0, 3));
    }

    @Test
    void datatrovesPunctuationAndTerminalMarks() {
        assertTrue(DatatroveWords.isTerminalPunctuation('.'));
        assertTrue(DatatroveWords.isTerminalPunctuation('\u3002'));
        assertFalse(DatatroveWords.isTerminalPunctuation('"'));
        assertFalse(DatatroveWords.hasNonPunctuation("...", 0, 3));
        assertTrue(DatatroveWords.hasNonPunctuation("n't", 0, 3));
        assertFalse(DatatroveWords.hasNonPunctuation("\u00AB\u2014\u00BB", 0, 3));
    }
}
