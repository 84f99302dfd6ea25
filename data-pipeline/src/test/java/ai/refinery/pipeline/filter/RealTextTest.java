package ai.refinery.pipeline.filter;

import ai.refinery.core.config.Settings;
import ai.refinery.pipeline.doc.Document;
import com.typesafe.config.Config;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The default filters on real text: the Tika language-test corpora (Europarl proceedings and other texts),
 * cut into documents of about 4 KB at line boundaries.
 */
class RealTextTest {
    private static final Config DEFAULTS = Settings.defaults();

    private static List<Document> documents(String lang) throws IOException {
        Path file = Path.of(System.getProperty("refinery.corpora", "target/corpora"),
                "langid/org/apache/tika/langdetect/language-tests", lang + ".test");
        String text = Files.readString(file, StandardCharsets.UTF_8);
        List<Document> docs = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : text.split("\n")) {
            if (current.length() > 0 && current.length() + line.length() > 4000) {
                docs.add(Document.of(lang + "-" + docs.size(), current.toString(), null, file.toString(), "text",
                        "piece:" + docs.size(), null));
                current.setLength(0);
            }
            current.append(line).append('\n');
        }
        return docs;
    }

    private static Map<String, Integer> verdicts(DocumentFilter filter, List<Document> docs) {
        Map<String, Integer> verdicts = new TreeMap<>();
        for (Document doc : docs) {
            Outcome outcome = filter.apply(doc);
            verdicts.merge(outcome.kept() ? "keep" : outcome.reason(), 1, Integer::sum);
        }
        return verdicts;
    }

    @Test
    void englishProseIsKeptByTheQualityRules() throws IOException {
        List<Document> english = documents("en");
        assertTrue(english.size() >= 4, "corpus too small: " + english.size());
        Map<String, Integer> all = Map.of("keep", english.size());
        assertEquals(all, verdicts(GopherQualityFilter.fromConfig(DEFAULTS), english));
        assertEquals(all, verdicts(C4QualityFilter.fromConfig(DEFAULTS), english));
        assertEquals(all, verdicts(FineWebQualityFilter.fromConfig(DEFAULTS), english));
        assertEquals(all, verdicts(LineCleanupFilter.fromConfig(DEFAULTS), english));
        // Parliamentary proceedings repeat set phrases ("Madam President, I would like to ..."); most pieces
        // still pass the repetition rules.
        Map<String, Integer> repetition = verdicts(GopherRepetitionFilter.fromConfig(DEFAULTS), english);
        assertTrue(repetition.getOrDefault("keep", 0) >= english.size() * 0.7, repetition.toString());
    }

    @Test
    void englishStopWordsRejectOtherLanguages() throws IOException {
        for (String lang : List.of("de", "fr", "fi")) {
            List<Document> docs = documents(lang);
            Map<String, Integer> verdicts = verdicts(GopherQualityFilter.fromConfig(DEFAULTS), docs);
            assertTrue(verdicts.getOrDefault("stop_words", 0) >= docs.size() * 0.9, lang + ": " + verdicts);
        }
    }

    @Test
    void textWithoutSpacesFailsTheWordRules() throws IOException {
        // Japanese and Chinese are not split by spaces: few, very long "words".
        for (String lang : List.of("ja", "zh")) {
            List<Document> docs = documents(lang);
            Map<String, Integer> verdicts = verdicts(GopherQualityFilter.fromConfig(DEFAULTS), docs);
            assertEquals(null, verdicts.get("keep"), lang + ": " + verdicts);
        }
    }
}
