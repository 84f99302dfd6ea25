package ai.refinery.pipeline.filter;

import ai.refinery.core.config.ConfigError;
import ai.refinery.core.config.Settings;
import ai.refinery.pipeline.doc.Document;
import org.junit.jupiter.api.Test;

import java.util.List;

import static ai.refinery.pipeline.filter.Docs.assertKept;
import static ai.refinery.pipeline.filter.Docs.assertRejected;
import static ai.refinery.pipeline.filter.Docs.doc;
import static ai.refinery.pipeline.filter.Docs.repeat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LineCleanupFilterTest {
    /** The defaults of conf/refinery.conf. */
    private final LineCleanupFilter filter = LineCleanupFilter.fromConfig(Settings.defaults());

    private String kept(String text) {
        Outcome outcome = filter.apply(doc(text));
        assertKept(outcome);
        return outcome.document().text();
    }

    @Test
    void removedWordFractionAtAndAboveTheLimit() {
        String content95 = repeat("garden", 95);
        // Removed: Share (1) + 12 likes (2) + Read more (2) = 5 of 100 words: 0.05.
        assertEquals(content95, kept("Share\n" + content95 + "\n12 likes\nRead more"));
        // Removed: 6 of 100 words.
        assertRejected(filter.apply(doc(repeat("garden", 94) + "\nShare\n12 likes\nRead more\nReply")),
                "too_many_removed_words", "0.06 > 0.05");
    }

    @Test
    void boilerplateLinesAreRemoved() {
        String content = repeat("garden", 1000);
        String text = String.join("\n", "3 comments", content, "1.2k views", "Log in | Sign up", "Back to top",
                "https://example.com/page?id=1", "<www.example.org>", "-----", "12/03/2021", "\u00A9 2021 \u2022 42",
                "Views", "Top 10 tips for gardening", "12 apples", "Sign the petition", "See https://example.com now");
        assertEquals(String.join("\n", content, "Views", "Top 10 tips for gardening", "12 apples", "Sign the petition",
                "See https://example.com now"), kept(text));
    }

    @Test
    void blankLinesLeftBehindCollapse() {
        String content = repeat("garden", 100);
        assertEquals("Para one. " + content + "\n\nPara two.",
                kept("Para one. " + content + "\n\nShare\n\n\nPara two.\n\n"));
        assertEquals("Para one. " + content + "\nPara two.", kept("Para one. " + content + "\nTweet\nPara two."));
    }

    @Test
    void documentsWithoutBoilerplateAreUnchanged() {
        Document doc = doc("  Indented line.\n\n\nAnother line.\n");
        assertSame(doc, filter.apply(doc).document());
        Document empty = doc("");
        assertSame(empty, filter.apply(empty).document());
    }

    @Test
    void settings() {
        LineCleanupFilter custom = LineCleanupFilter.fromConfig(Settings.load(null,
                List.of("filter.line_cleanup.boilerplate_words=[cart]", "filter.line_cleanup.max_removed_word_fraction=0.5")));
        assertEquals("Real content here", custom.apply(doc("Real content here\nCART")).document().text());
        // "Share" is no longer a boilerplate word.
        assertEquals("Real content here\nShare", custom.apply(doc("Real content here\nShare")).document().text());
        ConfigError e = assertThrows(ConfigError.class, () -> LineCleanupFilter.fromConfig(
                Settings.load(null, List.of("filter.line_cleanup.max_removed_word_fraction=5"))));
        assertEquals("filter.line_cleanup.max_removed_word_fraction: must be in [0.0, 1.0], got 5.0", e.getMessage());
    }
}
