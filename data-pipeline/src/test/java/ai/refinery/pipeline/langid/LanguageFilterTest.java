package ai.refinery.pipeline.langid;

import ai.refinery.core.config.ConfigError;
import ai.refinery.core.config.Settings;
import ai.refinery.pipeline.doc.Document;
import ai.refinery.pipeline.filter.Outcome;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LanguageFilterTest {

    private static Document doc(String text) {
        return Document.of("id-1", text, "https://example.org/", "file:/in.warc.gz", "warc", "<urn:uuid:1>", null);
    }

    /** A filter whose detector returns exactly the given language and score. */
    private static LanguageFilter fixed(List<String> keep, double threshold, String lang, double score) {
        return new LanguageFilter(keep, threshold, (Detector) text -> new Detection(lang, score));
    }

    @Test
    void keepsAtThresholdAndRejectsJustBelow() {
        Outcome at = fixed(List.of("en"), 0.65, "en", 0.65).apply(doc("x"));
        assertTrue(at.kept(), "score equal to the threshold is kept");
        assertEquals("en", at.document().lang());
        assertEquals(0.65, at.document().langScore());

        assertTrue(fixed(List.of("en"), 0.65, "en", 0.6500001).apply(doc("x")).kept());

        Outcome below = fixed(List.of("en"), 0.65, "en", 0.6499).apply(doc("x"));
        assertFalse(below.kept());
        assertEquals(LanguageFilter.LOW_SCORE, below.reason());
        // Rounded down so it never reads as "0.65 < 0.65".
        assertEquals("en 0.64 < 0.65", below.detail());
        assertEquals("en", below.document().lang(), "rejected rows carry the detected language");
        assertEquals(0.6499, below.document().langScore());

        Outcome low = fixed(List.of("en"), 0.65, "en", 0.51).apply(doc("x"));
        assertEquals("en 0.51 < 0.65", low.detail());
    }

    @Test
    void rejectsLanguagesNotInKeepEvenWithHighScore() {
        Outcome fr = fixed(List.of("en"), 0.65, "fr", 0.98).apply(doc("x"));
        assertFalse(fr.kept());
        assertEquals(LanguageFilter.NOT_KEPT, fr.reason());
        assertEquals("fr 0.98 not in [en]", fr.detail());
        assertEquals("fr", fr.document().lang());
        assertEquals(0.98, fr.document().langScore());

        // The language check comes first: a low-scoring unwanted language is "not kept".
        assertEquals(LanguageFilter.NOT_KEPT, fixed(List.of("en"), 0.65, "de", 0.3).apply(doc("x")).reason());
    }

    @Test
    void keepListIsNormalisedAndMayHoldSeveralLanguages() {
        LanguageFilter filter = fixed(List.of(" EN", "De "), 0.65, "de", 0.9);
        assertEquals(Set.of("de", "en"), filter.keep());
        assertTrue(filter.apply(doc("x")).kept());
        Outcome fr = fixed(List.of("de", "en"), 0.65, "fr", 0.9).apply(doc("x"));
        assertEquals("fr 0.90 not in [de, en]", fr.detail());
    }

    @Test
    void emptyKeepListKeepsAnyLanguageButNotUndetermined() {
        assertTrue(fixed(List.of(), 0.65, "fi", 0.7).apply(doc("x")).kept());
        Outcome lowFi = fixed(List.of(), 0.65, "fi", 0.6).apply(doc("x"));
        assertEquals(LanguageFilter.LOW_SCORE, lowFi.reason());
        Outcome und = fixed(List.of(), 0.0, LanguageIdentifier.UNDETERMINED, 0.0).apply(doc("x"));
        assertEquals(LanguageFilter.NOT_KEPT, und.reason());
        assertEquals("und 0.00 not in [any language]", und.detail());
    }

    @Test
    void thresholdZeroKeepsEveryScoreAndOneOnlyCertainty() {
        assertTrue(fixed(List.of("en"), 0.0, "en", 0.0).apply(doc("x")).kept());
        assertTrue(fixed(List.of("en"), 1.0, "en", 1.0).apply(doc("x")).kept());
        assertFalse(fixed(List.of("en"), 1.0, "en", 0.999).apply(doc("x")).kept());
        assertThrows(IllegalArgumentException.class, () -> fixed(List.of("en"), 1.01, "en", 1.0));
        assertThrows(IllegalArgumentException.class, () -> fixed(List.of("en"), -0.1, "en", 1.0));
    }

    @Test
    void emptyAndLetterlessTextIsUndeterminedAndRejected() {
        LanguageFilter filter = new LanguageFilter(List.of("en"), 0.65,
                new LanguageIdentifier(LanguageIdentifier.Accuracy.LOW, 2000));
        for (String text : new String[] {"", "   \n\t ", "12 345 678 -- !!! ?? 3.14", "☺☺☺ ★"}) {
            Outcome o = filter.apply(doc(text));
            assertFalse(o.kept(), text);
            assertEquals(LanguageFilter.NOT_KEPT, o.reason(), text);
            assertEquals("und 0.00 not in [en]", o.detail(), text);
            assertEquals(LanguageIdentifier.UNDETERMINED, o.document().lang());
            assertEquals(0.0, o.document().langScore());
            assertEquals(text, o.document().text(), "text is left as it was");
        }
    }

    @Test
    void realEnglishAndFrenchProse() {
        LanguageFilter filter = new LanguageFilter(List.of("en"), 0.65,
                new LanguageIdentifier(LanguageIdentifier.Accuracy.LOW, 2000));
        Outcome en = filter.apply(doc("Everyone has the right to freedom of thought, conscience and religion; this right "
                + "includes freedom to change his religion or belief, and freedom, either alone or in community with "
                + "others and in public or private, to manifest his religion or belief in teaching and worship."));
        assertTrue(en.kept(), en.toString());
        assertEquals("en", en.document().lang());
        assertTrue(en.document().langScore() >= 0.9, "score " + en.document().langScore());

        Outcome fr = filter.apply(doc("Toute personne a droit à la liberté de pensée, de conscience et de religion ; ce "
                + "droit implique la liberté de changer de religion ou de conviction ainsi que la liberté de manifester "
                + "sa religion ou sa conviction, seule ou en commun, tant en public qu'en privé."));
        assertEquals(LanguageFilter.NOT_KEPT, fr.reason());
        assertTrue(fr.detail().startsWith("fr "), fr.detail());
        assertTrue(fr.detail().endsWith(" not in [en]"), fr.detail());
    }

    @Test
    void readsDefaultsFromConfiguration() {
        LanguageFilter filter = LanguageFilter.fromConfig(Settings.defaults());
        assertEquals("language", filter.name());
        assertEquals(Set.of("en"), filter.keep());
        assertEquals(0.65, filter.threshold());
        assertTrue(filter.toString().contains("accuracy=LOW, maxChars=2000, languages=all"), filter.toString());
    }

    @Test
    void badSettingsNameTheirKey() {
        assertConfigError("filter.language.threshold", "filter.language.threshold = 1.5");
        assertConfigError("filter.language.max_chars", "filter.language.max_chars = 0");
        assertConfigError("filter.language.accuracy", "filter.language.accuracy = medium");
        assertConfigError("filter.language.keep", "filter.language.keep = [en, xx]");
        assertConfigError("filter.language.languages", "filter.language.languages = [en]");
        assertConfigError("filter.language.keep", "filter.language.languages = [de, fr]");
    }

    @Test
    void candidateLanguagesWhenConfigured() {
        Config config = ConfigFactory.parseString("filter.language.languages = [en, de, fr]")
                .withFallback(Settings.defaults());
        LanguageFilter filter = LanguageFilter.fromConfig(config);
        assertTrue(filter.toString().contains("languages=[de, en, fr]"), filter.toString());
        assertEquals("fr", filter.apply(doc("Toute personne a droit à l'éducation.")).document().lang());
    }

    @Test
    void survivesJavaSerialization() throws Exception {
        LanguageFilter filter = LanguageFilter.fromConfig(Settings.defaults());
        filter.apply(doc("warm the detector up before serializing it"));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(filter);
        }
        assertTrue(bytes.size() < 4096, "only settings travel, not models: " + bytes.size() + " bytes");
        LanguageFilter copy;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (LanguageFilter) in.readObject();
        }
        String text = "The General Assembly proclaims this Universal Declaration of Human Rights as a common standard.";
        assertEquals(filter.apply(doc(text)).document(), copy.apply(doc(text)).document());
    }

    private static void assertConfigError(String key, String override) {
        Config config = ConfigFactory.parseString(override).withFallback(Settings.defaults());
        ConfigError e = assertThrows(ConfigError.class, () -> LanguageFilter.fromConfig(config));
        assertTrue(e.getMessage().startsWith(key + ":"), e.getMessage());
    }
}
