package ai.refinery.pipeline.langid;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LanguageIdentifierTest {

    @Test
    void topScoreIsASoftmaxOverRelativeLogLikelihoodGaps() {
        // Only the top language: certain.
        assertEquals(1.0, LanguageIdentifier.topScore(List.of(1.0)), 1e-12);
        // Two languages explaining the text equally well: a coin toss.
        assertEquals(0.5, LanguageIdentifier.topScore(List.of(1.0, 1.0)), 1e-12);
        // Runner-up 5% more surprising per n-gram: d = 0.05, k d = 1, 1 / (1 + e^-1) = 0.731059.
        assertEquals(0.731059, LanguageIdentifier.topScore(List.of(1.0, 1.0 / 1.05)), 1e-6);
        // r = 0.8: d = 0.25, k d = 5, 1 / (1 + e^-5) = 0.993307.
        assertEquals(0.993307, LanguageIdentifier.topScore(List.of(1.0, 0.8)), 1e-6);
        // Three-way: r = 1, 1/1.05, 1/1.05 -> 1 / (1 + 2 e^-1) = 0.576117.
        assertEquals(0.576117, LanguageIdentifier.topScore(List.of(1.0, 1.0 / 1.05, 1.0 / 1.05)), 1e-6);
        // Nothing usable.
        assertEquals(0.0, LanguageIdentifier.topScore(List.of()), 0.0);
        assertEquals(1.0, LanguageIdentifier.topScore(List.of(1.0, 0.0, Double.NaN)), 1e-12);
    }

    @Test
    void scoreCrossesRefinedWebThresholdWhereHandComputed() {
        // Two candidates: p = 1 / (1 + exp(-20 d)) = 0.65 at d = ln(0.65 / 0.35) / 20 = 0.0309525.
        double d = Math.log(0.65 / 0.35) / 20;
        assertEquals(0.65, LanguageIdentifier.topScore(List.of(1.0, 1.0 / (1 + d))), 1e-9);
        assertTrue(LanguageIdentifier.topScore(List.of(1.0, 1.0 / (1 + d + 1e-4))) > 0.65);
        assertTrue(LanguageIdentifier.topScore(List.of(1.0, 1.0 / (1 + d - 1e-4))) < 0.65);
    }

    @Test
    void prefixRespectsMaxCharsAndSurrogatePairs() {
        assertEquals("abc", LanguageIdentifier.prefix("abcdef", 3));
        assertEquals("ab", LanguageIdentifier.prefix("ab", 3));
        String withEmoji = "ab\uD83D\uDE00cd"; // a, b, one supplementary character, c, d
        assertEquals("ab", LanguageIdentifier.prefix(withEmoji, 3), "does not split the pair");
        assertEquals("ab\uD83D\uDE00", LanguageIdentifier.prefix(withEmoji, 4));
    }

    @Test
    void detectsOnlyTheLeadingMaxChars() {
        String english = "The quick brown fox jumps over the lazy dog while the children watch from the garden. ";
        String german = "Der schnelle braune Fuchs springt über den faulen Hund, während die Kinder im Garten zusehen. ";
        LanguageIdentifier first = new LanguageIdentifier(LanguageIdentifier.Accuracy.LOW, english.length());
        assertEquals("en", first.detect(english + german.repeat(5)).language());
        LanguageIdentifier all = new LanguageIdentifier(LanguageIdentifier.Accuracy.LOW, 100_000);
        assertEquals("de", all.detect(english + german.repeat(5)).language());
    }

    @Test
    void undeterminedWithoutLetters() {
        LanguageIdentifier id = new LanguageIdentifier(LanguageIdentifier.Accuracy.LOW, 2000);
        assertEquals(Detection.undetermined(), id.detect(""));
        assertEquals(Detection.undetermined(), id.detect("2024-01-01 12:00 | 42 % (+3.5)"));
    }

    @Test
    void scriptRulesGiveCertainty() {
        LanguageIdentifier id = new LanguageIdentifier(LanguageIdentifier.Accuracy.LOW, 2000);
        Detection greek = id.detect("Όλοι οι άνθρωποι γεννιούνται ελεύθεροι και ίσοι στην αξιοπρέπεια και τα δικαιώματα.");
        assertEquals(new Detection("el", 1.0), greek);
    }

    @Test
    void validatesSettings() {
        assertThrows(IllegalArgumentException.class, () -> new LanguageIdentifier(LanguageIdentifier.Accuracy.LOW, 0));
        assertThrows(IllegalArgumentException.class,
                () -> new LanguageIdentifier(LanguageIdentifier.Accuracy.LOW, 10, List.of("en", "klingon")));
        assertThrows(IllegalArgumentException.class,
                () -> new LanguageIdentifier(LanguageIdentifier.Accuracy.LOW, 10, List.of("en")));
        assertEquals(75, LanguageIdentifier.supportedLanguages().size());
        assertEquals(LanguageIdentifier.Accuracy.HIGH, LanguageIdentifier.Accuracy.parse(" High "));
    }

    @Test
    void concurrentDetectionMatchesSequential() throws Exception {
        LanguageIdentifier id = new LanguageIdentifier(LanguageIdentifier.Accuracy.LOW, 2000);
        List<String> texts = new ArrayList<>();
        for (LangidCorpora.Sample s : LangidCorpora.tikaChunks()) {
            if (texts.size() < 200 && s.origin().endsWith("#3")) {
                texts.add(s.text());
            }
        }
        List<Detection> expected = new ArrayList<>();
        for (String t : texts) {
            expected.add(id.detect(t));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<Detection>>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                // A fresh identifier per thread, as after deserialization on an executor: same cached detector.
                LanguageIdentifier copy = new LanguageIdentifier(LanguageIdentifier.Accuracy.LOW, 2000);
                futures.add(pool.submit(() -> {
                    List<Detection> got = new ArrayList<>();
                    for (String text : texts) {
                        got.add(copy.detect(text));
                    }
                    return got;
                }));
            }
            for (Future<List<Detection>> f : futures) {
                assertEquals(expected, f.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
