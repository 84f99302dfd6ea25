package ai.refinery.pipeline.filter;

import ai.refinery.core.config.ConfigError;
import ai.refinery.core.config.Settings;
import com.typesafe.config.Config;
import org.junit.jupiter.api.Test;

import java.util.List;

import static ai.refinery.pipeline.filter.Docs.assertKept;
import static ai.refinery.pipeline.filter.Docs.doc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The filter.definitions switch: its setting, and the rules where datatrove's definitions and the papers' part. */
class FilterDefinitionsTest {
    private static final Config DATATROVE = Settings.defaults();

    @Test
    void defaultIsDatatroveAndBadValuesNameTheKey() {
        assertEquals(FilterDefinitions.DATATROVE, FilterDefinitions.fromConfig(Settings.defaults()));
        assertEquals(FilterDefinitions.PAPER, FilterDefinitions.fromConfig(Docs.PAPER));
        ConfigError e = assertThrows(ConfigError.class, () -> FilterStages.fromConfig(
                Settings.load(null, List.of("filter.definitions=papers", "filter.stages=[url_blocklist]"))));
        assertTrue(e.getMessage().contains("filter.definitions"), e.getMessage());
        e = assertThrows(ConfigError.class, () -> FineWebQualityFilter.fromConfig(
                Settings.load(null, List.of("filter.definitions=[datatrove]"))));
        assertTrue(e.getMessage().contains("filter.definitions"), e.getMessage());
    }

    @Test
    void fineWebShortLinesAreUntrimmedAndAtMost30InDatatroveMode() {
        // Ten lines of exactly 30 characters ending in a period: short for datatrove (<= 30), not for the paper (< 30).
        String line = "This line has thirty chars ok.";
        assertEquals(30, line.length());
        String text = (line + "\n").repeat(10);
        Outcome datatrove = FineWebQualityFilter.fromConfig(DATATROVE).apply(doc(text));
        assertFalse(datatrove.kept());
        assertEquals("short_lines", datatrove.reason());
        assertEquals("duplicate_line_chars", FineWebQualityFilter.fromConfig(Docs.PAPER).apply(doc(text)).reason());
    }

    @Test
    void fineWebClosingQuotesAndTrailingSpacesAreNotTerminalForDatatrove() {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            text.append("He said that the line number ").append(i).append(" ends in a quote \"so.\"\n");
        }
        assertEquals("terminal_punctuation_lines", FineWebQualityFilter.fromConfig(DATATROVE).apply(doc(text.toString())).reason());
        assertKept(FineWebQualityFilter.fromConfig(Docs.PAPER).apply(doc(text.toString())));
    }

    @Test
    void c4CurlyBracketRejectsOnlyInASurvivingLineForDatatrove() {
        StringBuilder text = new StringBuilder("{x}\n"); // two words: dropped before the '{' rule is reached
        for (int i = 0; i < 6; i++) {
            text.append("This is sentence number ").append(i).append(" of a plain paragraph.\n");
        }
        assertKept(C4QualityFilter.fromConfig(DATATROVE).apply(doc(text.toString())));
        assertEquals("curly_bracket", C4QualityFilter.fromConfig(Docs.PAPER).apply(doc(text.toString())).reason());
    }

    @Test
    void gopherQualityCountsPunctuationTokensAsWordsForDatatrove() {
        // 60 words with a comma after every one: datatrove sees 120 tokens, half without a letter (0.5 < 0.8).
        StringBuilder text = new StringBuilder();
        String[] words = {"the", "and", "with", "quality", "filter", "definitions"};
        for (int i = 0; i < 60; i++) {
            text.append(words[i % words.length]).append(", ");
        }
        Outcome datatrove = GopherQualityFilter.fromConfig(DATATROVE).apply(doc(text.toString()));
        assertEquals("alpha_words", datatrove.reason());
        assertEquals("0.5 < 0.8", datatrove.detail());
        assertKept(GopherQualityFilter.fromConfig(Docs.PAPER).apply(doc(text.toString())));
    }

    @Test
    void gopherRepetitionCountsOnlyLaterOccurrencesForDatatrove() {
        // A 5-word phrase twice among 120 distinct filler words: the paper counts both copies over word characters
        // (52 / 292 = 0.18 > 0.15), datatrove the second copy over the text's length (26 / 423 = 0.06).
        String phrase = "alpha bravo charlie delta echo";
        String text = Docs.filler(0, 40) + " " + phrase + " " + Docs.filler(40, 40) + " " + phrase + " " + Docs.filler(80, 40);
        GopherRepetitionFilter datatrove = GopherRepetitionFilter.fromConfig(DATATROVE);
        GopherRepetitionFilter paper = GopherRepetitionFilter.fromConfig(Docs.PAPER);
        assertKept(datatrove.apply(doc(text)));
        Outcome p = paper.apply(doc(text));
        assertEquals("duplicated_5gram", p.reason());
    }

    @Test
    void c4PassesOnTheWordCountOfItsKeptTextAsTokenisingItGives() throws Exception {
        // Real prose with lines C4 drops (too few words, "javascript"), run as the chain runs it: the Gopher stage
        // computes the document's words, C4 derives the kept text's count from them, FineWeb reads that count.
        String prose = java.nio.file.Files.readString(ParityCorpus.corporaRoot()
                .resolve("langid/org/apache/tika/langdetect/language-tests/en.test"));
        String text = "Menu\nEnable JavaScript to see this page, don't wait.\n" + prose + "\nShare it!\n";
        ai.refinery.pipeline.doc.Document d = doc(text);
        assertKept(GopherQualityFilter.fromConfig(DATATROVE).apply(d));
        Outcome c4 = C4QualityFilter.fromConfig(DATATROVE).apply(d);
        assertKept(c4);
        String kept = c4.document().text();
        assertFalse(kept.contains("JavaScript") || kept.startsWith("Menu"));
        int remembered = ai.refinery.pipeline.text.DatatroveWords.countWords(kept, 0, kept.length());
        int counted = ai.refinery.pipeline.text.DatatroveWords.words(new String(kept.toCharArray()), 0, kept.length()).size();
        assertEquals(counted, remembered);
        assertTrue(counted > 1000, "words: " + counted);
    }
}
