package ai.refinery.pipeline.langid;

import com.github.pemistahl.lingua.api.Language;
import com.github.pemistahl.lingua.api.LanguageDetector;
import com.github.pemistahl.lingua.api.LanguageDetectorBuilder;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fast path (LinguaRules + TrigramTables) gives Lingua's own answers on real multilingual text. */
class TrigramTablesTest {

    private static List<String> realTexts() {
        List<String> texts = new ArrayList<>();
        List<LangidCorpora.Sample> tika = LangidCorpora.tikaChunks();
        for (int i = 0; i < tika.size(); i += 3) { // a third of them: Lingua's own path is the slow side here
            texts.add(tika.get(i).text());
        }
        for (LangidCorpora.UdhrPage page : LangidCorpora.udhrPages()) {
            texts.add(page.text());
            // Short pieces too: the script rules and the backoff to bigrams and letters matter most there.
            List<String> pieces = LangidCorpora.chunks(page.text(), 40);
            texts.addAll(pieces.subList(0, Math.min(3, pieces.size())));
        }
        // Mixtures, digits and punctuation only, surrogate pairs, a lone surrogate.
        texts.add("The committee met on Tuesday. Der Ausschuss tagte am Dienstag. Le comité s'est réuni mardi.");
        texts.add("12345 !!! ... ---");
        texts.add("𝐀𝐁𝐂 mathematical letters and 😀 emoji in English text about the weather today");
        texts.add("broken \uD800 surrogate in the middle of an English sentence about nothing");
        texts.add("ab");
        // Scripts and rules: one-language alphabets, CJK logograms (each its own word), kana, unique letters,
        // characters shared by a few languages, a tie between scripts, leading and trailing Unicode spaces.
        texts.add("Η Οικουμενική Διακήρυξη για τα Ανθρώπινα Δικαιώματα");
        texts.add("世界人権宣言 すべての人間は、生まれながらにして自由であり");
        texts.add("人人生而自由,在尊严和权利上一律平等");
        texts.add("모든 인간은 태어날 때부터 자유로우며 그 존엄과 권리에 있어 동등하다");
        texts.add("Größe straße übermäßig ça façon ñandú ağaç İstanbul şeker");
        texts.add("Ελλάδα Rome Ελλάδα Paris");
        texts.add("\u2003\u00a0 Тест на русском языке, ещё один. Їжак і ґанок \u3000");
        texts.add("hello 世界");
        return texts;
    }

    @Test
    void rulesAreLinguas() {
        List<Set<Language>> candidateSets = List.of(EnumSet.copyOf(Language.all()),
                EnumSet.of(Language.ENGLISH, Language.GERMAN, Language.GREEK, Language.JAPANESE, Language.TURKISH));
        for (Set<Language> candidates : candidateSets) {
            LanguageDetector lingua = LanguageDetectorBuilder.fromLanguages(candidates.toArray(new Language[0]))
                    .withLowAccuracyMode().build();
            LinguaRules rules = new LinguaRules(candidates);
            for (String text : realTexts()) {
                String cleaned = lingua.cleanUpInputText$lingua(text);
                assertEquals(cleaned, LinguaRules.cleanUp(text), "clean-up");
                List<String> words = lingua.splitTextIntoWords$lingua(cleaned);
                assertEquals(words, LinguaRules.words(cleaned), () -> "words of " + cleaned);
                if (words.isEmpty()) {
                    continue;
                }
                assertEquals(lingua.detectLanguageWithRules$lingua(words), rules.detectByRules(words), () -> "rules on " + cleaned);
                assertEquals(lingua.filterLanguagesByRules$lingua(words), rules.filterByRules(words), () -> "filter on " + cleaned);
            }
        }
    }

    private static void assertSameAsLingua(LanguageIdentifier id, List<String> texts) {
        int differentScores = 0;
        for (String text : texts) {
            String sample = LanguageIdentifier.prefix(text, id.maxChars());
            Detection fast = id.detect(text);
            Detection lingua = id.detectWithLingua(sample);
            assertEquals(lingua.language(), fast.language(), () -> "language of: " + sample);
            assertEquals(lingua.score(), fast.score(), 1e-3, () -> "score of: " + sample);
            if (Math.abs(lingua.score() - fast.score()) > 1e-9) {
                differentScores++;
            }
        }
        System.err.printf("%s: %d texts, %d scores differ beyond 1e-9 (float sums in another order)%n",
                id, texts.size(), differentScores);
    }

    @Test
    void lowAccuracyOverAllLanguagesIsLingua() {
        List<String> texts = realTexts();
        assertTrue(texts.size() > 500, "corpora missing: " + texts.size());
        assertSameAsLingua(new LanguageIdentifier(LanguageIdentifier.Accuracy.LOW, 2000), texts);
    }

    @Test
    void candidateSubsetsAndShortPrefixesAreLingua() {
        List<String> texts = realTexts();
        assertSameAsLingua(new LanguageIdentifier(LanguageIdentifier.Accuracy.LOW, 300, List.of("en", "de", "fr", "nl")), texts);
        assertSameAsLingua(new LanguageIdentifier(LanguageIdentifier.Accuracy.LOW, 60, List.of("sr", "bs", "hr", "ru", "uk")), texts);
    }

    @Test
    void highAccuracyOnLongTextIsLingua() {
        List<String> texts = new ArrayList<>();
        for (LangidCorpora.UdhrPage page : LangidCorpora.udhrPages()) {
            if (page.text().length() >= 400) {
                texts.add(page.text());
            }
            if (texts.size() == 60) {
                break;
            }
        }
        assertSameAsLingua(new LanguageIdentifier(LanguageIdentifier.Accuracy.HIGH, 2000, List.of("en", "de", "fr", "es", "it", "pt", "nl", "da", "sv")), texts);
    }

    @Test
    void scoringIsFasterThanLingua() {
        // Not a timing assertion (benchmarks live in bench/): prints the ratio so a regression is visible.
        LanguageIdentifier id = new LanguageIdentifier(LanguageIdentifier.Accuracy.LOW, 2000);
        List<String> docs = new ArrayList<>();
        for (LangidCorpora.UdhrPage page : LangidCorpora.udhrPages()) {
            docs.add(LanguageIdentifier.prefix(page.text(), 2000));
        }
        for (int round = 0; round < 2; round++) {
            long t0 = System.nanoTime();
            for (String d : docs) {
                id.detect(d);
            }
            long t1 = System.nanoTime();
            for (String d : docs) {
                id.detectWithLingua(d);
            }
            long t2 = System.nanoTime();
            System.err.printf("round %d: %d pages, fast %.1f ms, Lingua %.1f ms, ratio %.1fx%n", round, docs.size(),
                    (t1 - t0) / 1e6, (t2 - t1) / 1e6, (double) (t2 - t1) / (t1 - t0));
        }
        assertTrue(docs.size() > 50, "UDHR pages missing: " + docs.size());
    }
}
