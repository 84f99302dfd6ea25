package ai.refinery.pipeline.filter;

import ai.refinery.core.config.ConfigError;
import ai.refinery.core.config.Settings;
import ai.refinery.pipeline.doc.Document;
import com.typesafe.config.Config;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static ai.refinery.pipeline.filter.Docs.doc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FilterStagesTest {
    private static final String BUILT_IN = "url_blocklist, gopher_repetition, gopher_quality, c4_quality, fineweb_quality, line_cleanup";

    /** Stands in for the language stage, which lives in another package. */
    private static final class LanguageStub implements DocumentFilter {
        @Override
        public String name() {
            return "language";
        }

        @Override
        public Outcome apply(Document document) {
            return Outcome.keep(document);
        }
    }

    private static final Map<String, Function<Config, DocumentFilter>> LANGUAGE = Map.of("language", c -> new LanguageStub());

    private static List<String> names(List<DocumentFilter> stages) {
        return stages.stream().map(DocumentFilter::name).toList();
    }

    @Test
    void defaultStagesInConfiguredOrder() {
        Config config = Settings.defaults();
        assertEquals(config.getStringList("filter.stages"), names(FilterStages.fromConfig(config, LANGUAGE)));
        assertEquals(List.of("url_blocklist", "language", "gopher_repetition", "gopher_quality", "c4_quality",
                "fineweb_quality", "line_cleanup"), names(FilterStages.fromConfig(config, LANGUAGE)));
    }

    @Test
    void orderFollowsTheSetting() {
        Config config = Settings.load(null, List.of("filter.stages=[line_cleanup, c4_quality, url_blocklist]"));
        assertEquals(List.of("line_cleanup", "c4_quality", "url_blocklist"), names(FilterStages.fromConfig(config)));
        assertEquals(List.of(), names(FilterStages.fromConfig(Settings.load(null, List.of("filter.stages=[]")))));
    }

    @Test
    void unknownStages() {
        ConfigError e = assertThrows(ConfigError.class, () -> FilterStages.fromConfig(
                Settings.load(null, List.of("filter.stages=[url_blocklist, shiny]"))));
        assertEquals("filter.stages: unknown stage 'shiny' (known: " + BUILT_IN + ")", e.getMessage());
        // Without its factory, the language stage is unknown too; with it, it is listed.
        e = assertThrows(ConfigError.class, () -> FilterStages.fromConfig(Settings.defaults()));
        assertEquals("filter.stages: unknown stage 'language' (known: " + BUILT_IN + ")", e.getMessage());
        e = assertThrows(ConfigError.class, () -> FilterStages.fromConfig(
                Settings.load(null, List.of("filter.stages=[shiny]")), LANGUAGE));
        assertEquals("filter.stages: unknown stage 'shiny' (known: " + BUILT_IN + ", language)", e.getMessage());
    }

    @Test
    void aStageListedTwice() {
        ConfigError e = assertThrows(ConfigError.class, () -> FilterStages.fromConfig(
                Settings.load(null, List.of("filter.stages=[c4_quality, c4_quality]"))));
        assertEquals("filter.stages: stage 'c4_quality' is listed twice", e.getMessage());
    }

    @Test
    void badValuesOfAStageNameTheirKey() {
        ConfigError e = assertThrows(ConfigError.class, () -> FilterStages.fromConfig(
                Settings.load(null, List.of("filter.gopher_quality.max_symbol_word_ratio=2")), LANGUAGE));
        assertEquals("filter.gopher_quality.max_symbol_word_ratio: must be in [0.0, 1.0], got 2.0", e.getMessage());
        // A stage that is not listed is not built, so its settings are not read.
        assertEquals(List.of("c4_quality"), names(FilterStages.fromConfig(Settings.load(null, List.of(
                "filter.stages=[c4_quality]", "filter.gopher_quality.max_symbol_word_ratio=2")))));
    }

    @Test
    void extraFactoriesCannotReplaceABuiltInStage() {
        assertThrows(IllegalArgumentException.class, () -> FilterStages.fromConfig(Settings.defaults(),
                Map.of("c4_quality", c -> new LanguageStub())));
    }

    @Test
    void stagesSurviveJavaSerialisationAsSparkShipsThem() throws IOException, ClassNotFoundException {
        String text = "The garden is quiet and the roses are in bloom. ".repeat(20) + "\nShare\n12 likes";
        Document doc = Document.of("id", text, "https://www.example.org/garden", "test", "text", "line:1", null);
        for (DocumentFilter stage : FilterStages.fromConfig(Settings.defaults(), LANGUAGE)) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
                out.writeObject(stage);
            }
            DocumentFilter copy;
            try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
                copy = (DocumentFilter) in.readObject();
            }
            assertEquals(stage.apply(doc).toString(), copy.apply(doc).toString(), stage.name());
            assertEquals(stage.apply(doc).document().text(), copy.apply(doc).document().text(), stage.name());
        }
        assertTrue(FilterStages.builtInStages().contains("line_cleanup"));
        assertEquals(text.substring(0, text.indexOf("\nShare")),
                new LineCleanupFilter(0.05, List.of("share", "likes")).apply(doc(text)).document().text());
    }
}
