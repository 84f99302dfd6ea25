package ai.refinery.pipeline.langid;

import ai.refinery.pipeline.langid.LangidCorpora.Sample;
import ai.refinery.pipeline.langid.LangidCorpora.UdhrPage;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Accuracy of the default detector (low accuracy, first 2000 characters, all 75 languages) on labelled real
 * text, and how its score behaves against RefinedWeb's 0.65 threshold. Prints a per-language breakdown.
 */
class LanguageIdentifierAccuracyTest {
    private static final LanguageIdentifier DETECTOR = new LanguageIdentifier(LanguageIdentifier.Accuracy.LOW, 2000);
    private static final double MIN_ACCURACY = 0.95;
    /** UDHR paragraphs scored per page (the first ones of at least 100 characters), to keep the test quick. */
    private static final int PARAGRAPHS_PER_PAGE = 12;
    /** Detections shared between the tests of this class (the same chunks are scored twice). */
    private static final Map<String, Detection> SEEN = new ConcurrentHashMap<>();

    private static Detection detect(String text) {
        return SEEN.computeIfAbsent(text, DETECTOR::detect);
    }

    /** Correct and total counts per expected language, with the wrong answers seen. */
    private static final class Tally {
        final Map<String, int[]> counts = new TreeMap<>();
        final Map<String, Map<String, Integer>> wrong = new TreeMap<>();
        int correct;
        int total;

        void add(String label, Set<String> expected, String got) {
            int[] c = counts.computeIfAbsent(label, k -> new int[2]);
            c[1]++;
            total++;
            if (expected.contains(got)) {
                c[0]++;
                correct++;
            } else {
                wrong.computeIfAbsent(label, k -> new TreeMap<>()).merge(got, 1, Integer::sum);
            }
        }

        double accuracy() {
            return correct / (double) total;
        }

        void print(String title) {
            System.out.printf(Locale.ROOT, "%s: %d/%d = %.4f%n", title, correct, total, accuracy());
            counts.forEach((label, c) -> System.out.printf(Locale.ROOT, "  %-6s %5d/%-5d %.3f %s%n", label, c[0], c[1],
                    c[0] / (double) c[1], wrong.containsKey(label) ? "wrong: " + wrong.get(label) : ""));
        }
    }

    @Test
    void tikaLanguageTestFilesInChunks() {
        List<Sample> chunks = LangidCorpora.tikaChunks();
        Tally tally = new Tally();
        for (Sample s : chunks) {
            tally.add(s.label(), s.expected(), detect(s.text()).language());
        }
        tally.print("Tika language-tests, ~" + LangidCorpora.CHUNK_CHARS + "-char chunks");
        assertEquals(LangidCorpora.TIKA_LANGUAGES.size(), tally.counts.size(), "every Tika language has chunks");
        assertTrue(chunks.size() > 900, "chunks: " + chunks.size());
        assertTrue(tally.accuracy() >= MIN_ACCURACY, "Tika chunk accuracy " + tally.accuracy());
    }

    @Test
    void tikaTextTestTsv() {
        List<Sample> rows = LangidCorpora.tikaTsv();
        Tally tally = new Tally();
        for (Sample s : rows) {
            tally.add(s.label(), s.expected(), detect(s.text()).language());
        }
        tally.print("Tika text-test.tsv (first 2000 chars of each row)");
        assertEquals(18, rows.size(), "all 18 rows are in languages Lingua supports");
        assertTrue(tally.accuracy() >= MIN_ACCURACY, "text-test.tsv accuracy " + tally.accuracy());
    }

    @Test
    void udhrPagesAndParagraphs() {
        List<UdhrPage> pages = LangidCorpora.udhrPages();
        Tally pageTally = new Tally();
        Tally paragraphTally = new Tally();
        for (UdhrPage page : pages) {
            pageTally.add(page.expected(), Set.of(page.expected()), detect(page.text()).language());
            int scored = 0;
            for (String paragraph : page.paragraphs()) {
                if (paragraph.length() >= 100 && scored++ < PARAGRAPHS_PER_PAGE) {
                    paragraphTally.add(page.expected(), Set.of(page.expected()), detect(paragraph).language());
                }
            }
        }
        pageTally.print("UDHR pages (first 2000 chars), " + pages.size() + " pages");
        paragraphTally.print("UDHR paragraphs of >= 100 chars, first " + PARAGRAPHS_PER_PAGE + " per page");
        // 73 of Lingua's 75 languages have a UDHR page in a script Lingua models.
        assertTrue(pageTally.counts.size() >= 73, "languages covered: " + pageTally.counts.keySet());
        assertTrue(pageTally.accuracy() >= MIN_ACCURACY, "UDHR page accuracy " + pageTally.accuracy());
        assertTrue(paragraphTally.accuracy() >= MIN_ACCURACY, "UDHR paragraph accuracy " + paragraphTally.accuracy());
    }

    /**
     * The score against the 0.65 threshold: clean monolingual paragraphs pass, half-and-half mixtures of two
     * languages mostly do not. These are the figures the sharpness constant was chosen on.
     */
    @Test
    void scoreSeparatesCleanTextFromMixtures() {
        Map<String, int[]> passing = new TreeMap<>();
        int pass = 0;
        int total = 0;
        for (Sample s : LangidCorpora.tikaChunks()) {
            if (s.text().length() < 150) {
                continue;
            }
            Detection d = detect(s.text());
            boolean ok = s.expected().contains(d.language()) && d.score() >= 0.65;
            int[] c = passing.computeIfAbsent(s.label(), k -> new int[2]);
            c[1]++;
            total++;
            if (ok) {
                c[0]++;
                pass++;
            }
        }
        System.out.printf(Locale.ROOT, "Tika chunks of >= 150 chars detected correctly with score >= 0.65: %d/%d = %.3f%n",
                pass, total, pass / (double) total);
        passing.forEach((l, c) -> System.out.printf(Locale.ROOT, "  %-4s %4d/%-4d %.3f%n", l, c[0], c[1], c[0] / (double) c[1]));
        assertTrue(pass / (double) total >= 0.95, "clean chunks passing 0.65: " + pass + "/" + total);

        String[][] pairs = {{"en", "fr"}, {"en", "es"}, {"en", "nl"}, {"fr", "it"}, {"da", "sv"}, {"es", "pt"}};
        int mixedBelow = 0;
        int mixed = 0;
        for (String[] pair : pairs) {
            List<String> a = longParagraphs(pair[0]);
            List<String> b = longParagraphs(pair[1]);
            int below = 0;
            int n = Math.min(a.size(), b.size());
            for (int i = 0; i < n; i++) {
                Detection d = detect(a.get(i).substring(0, 250) + "\n" + b.get(i).substring(0, 250));
                if (d.score() < 0.65) {
                    below++;
                }
            }
            System.out.printf(Locale.ROOT, "50/50 mixtures %s+%s scoring < 0.65: %d/%d%n", pair[0], pair[1], below, n);
            mixedBelow += below;
            mixed += n;
        }
        System.out.printf(Locale.ROOT, "all mixtures scoring < 0.65: %d/%d%n", mixedBelow, mixed);
        assertTrue(mixed > 100, "mixtures: " + mixed);
        assertTrue(mixedBelow / (double) mixed >= 0.55, "mixtures below 0.65: " + mixedBelow + "/" + mixed);
    }

    private static List<String> longParagraphs(String lang) {
        List<String> out = new ArrayList<>();
        String text = LangidCorpora.read(LangidCorpora.tikaDir().resolve("language-tests/" + lang + ".test"));
        for (String line : text.split("\n")) {
            if (line.strip().length() >= 250) {
                out.add(line.strip());
            }
        }
        return out;
    }
}
