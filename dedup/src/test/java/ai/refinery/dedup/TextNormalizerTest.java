package ai.refinery.dedup;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TextNormalizerTest {

    @Test
    void lowercasesAndStripsPunctuationAndDiacritics() {
        assertEquals("creme brulee a la francaise", TextNormalizer.normalize("Crème Brûlée, à la «française»!"));
        assertEquals("istanbul ve izmir", TextNormalizer.normalize("İstanbul ve İzmir"));
        assertEquals("uber strasse", TextNormalizer.normalize("Über-Strasse"));
        // Precomposed and decomposed spellings of the same word normalise alike.
        assertEquals(TextNormalizer.normalize("caf\u00E9"), TextNormalizer.normalize("cafe\u0301"));
    }

    @Test
    void collapsesWhitespaceOfEveryKind() {
        assertEquals("a b c", TextNormalizer.normalize("  a\t\tb\n\r\n\u00A0c  \u2003"));
        assertEquals("don t stop", TextNormalizer.normalize("don't   stop..."));
    }

    @Test
    void digitRunsBecomeOneZero() {
        assertEquals("page 0 of 0", TextNormalizer.normalize("Page 12 of 345"));
        assertEquals("pi is 0 and 0 people", TextNormalizer.normalize("Pi is 3.14159 and 1,000,000 people"));
        assertEquals("0 0 0", TextNormalizer.normalize("2024-01-15"));
        // Arabic-Indic digits are digits too.
        assertEquals("0", TextNormalizer.normalize("\u0661\u0662\u0663"));
        assertEquals("abc0", TextNormalizer.normalize("abc123"));
        assertEquals("end 0", TextNormalizer.normalize("end 5."));
    }

    @Test
    void emptyAndSymbolOnlyTextsNormaliseToNothing() {
        assertEquals("", TextNormalizer.normalize(null));
        assertEquals("", TextNormalizer.normalize(""));
        assertEquals("", TextNormalizer.normalize("  \n\t "));
        assertEquals("", TextNormalizer.normalize("!!! --- ??? ©®™ €"));
    }

    @Test
    void zeroWidthCharactersDoNotSplitWords() {
        assertEquals("software", TextNormalizer.normalize("soft\u00ADware"));
        assertEquals("abc", TextNormalizer.normalize("a\u200Db\u200Cc"));
    }

    @Test
    void scriptsWithoutCaseOrSpacesSurvive() {
        assertEquals("東京都 0", TextNormalizer.normalize("東京都、２０２４。"));
        assertEquals("ελληνικα", TextNormalizer.normalize("ΕΛΛΗΝΙΚΆ"));
    }
}
