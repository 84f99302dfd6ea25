package ai.refinery.pipeline.text;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TerminalPunctuationTest {

    private static boolean ends(String s) {
        return TerminalPunctuation.endsWithTerminal(s, 0, s.length());
    }

    @Test
    void terminalPunctuationIncludingQuotesAndOtherScripts() {
        assertTrue(ends("It ended."));
        assertTrue(ends("Really?  "));
        assertTrue(ends("He said \"no.\""));
        assertTrue(ends("\u4ECA\u65E5\u306F\u3002"));
        assertFalse(ends("Contact us:"));
        assertFalse(ends("(see above)"));
        assertFalse(ends("   "));
    }

    @Test
    void ellipsis() {
        assertTrue(TerminalPunctuation.endsWithEllipsis("and so on...", 0, 12));
        assertTrue(TerminalPunctuation.endsWithEllipsis("and so on\u2026 ", 0, 11));
        assertFalse(TerminalPunctuation.endsWithEllipsis("and so on..", 0, 11));
    }

    @Test
    void sentenceCount() {
        assertEquals(0, count(""));
        assertEquals(0, count("... !"));
        assertEquals(1, count("no punctuation at all"));
        assertEquals(3, count("One. Two! Three?"));
        assertEquals(3, count("One. Two!\"  Three"));
        // A line break alone does not end a sentence; a decimal point is not followed by a space.
        assertEquals(2, count("It costs 3.5 euros\nand more. Done."));
        assertEquals(2, count("Wait... what?!"));
    }

    private static int count(String s) {
        return TerminalPunctuation.countSentences(s, 0, s.length());
    }
}
