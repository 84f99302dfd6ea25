package ai.refinery.pipeline.filter;

import ai.refinery.core.config.Settings;
import ai.refinery.pipeline.doc.Document;
import com.typesafe.config.Config;

import java.util.List;
import java.util.StringJoiner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Test documents and assertions shared by the filter tests. */
final class Docs {
    /** The default settings with the papers' definitions ({@code filter.definitions = paper}). */
    static final Config PAPER = Settings.load(null, List.of(FilterDefinitions.KEY + "=paper"));

    private Docs() {
    }

    static Document doc(String text) {
        return Document.of("id", text, null, "test", "text", "line:1", null);
    }

    static Document docWithUrl(String url) {
        return Document.of("id", "text", url, "test", "text", "line:1", null);
    }

    /** {@code count} copies of word separated by single spaces. */
    static String repeat(String word, int count) {
        StringJoiner joiner = new StringJoiner(" ");
        for (int i = 0; i < count; i++) {
            joiner.add(word);
        }
        return joiner.toString();
    }

    /**
     * {@code count} distinct two-letter words ("qa", "qb", ... "xa", ...) that are no English stop word and
     * repeat nothing: filler whose n-grams are all unique.
     */
    static String filler(int count) {
        return filler(0, count);
    }

    /** Filler words number from .. from + count - 1 (at most 208 distinct words). */
    static String filler(int from, int count) {
        String firsts = "qxjkvzwy";
        StringJoiner joiner = new StringJoiner(" ");
        for (int i = from; i < from + count; i++) {
            joiner.add("" + firsts.charAt(i / 26) + (char) ('a' + i % 26));
        }
        return joiner.toString();
    }

    static void assertKept(Outcome outcome) {
        assertTrue(outcome.kept(), () -> "expected keep, got " + outcome);
    }

    static void assertRejected(Outcome outcome, String reason, String detail) {
        assertEquals("reject(" + reason + ": " + detail + ")", outcome.toString());
    }
}
