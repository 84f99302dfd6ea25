package ai.refinery.pipeline.text;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class NGramRepetitionTest {

    @Test
    void topNGramCountsTheMostFrequentNGram() {
        // Words: xx yy aaaa bbbb xx yy cccc -> 2+2+4+4+2+2+4 = 20 word characters.
        // "xx yy" occurs twice: 2 * 4 / 20 = 0.4. No 3-gram repeats.
        String text = "xx yy aaaa, bbbb\nxx yy (cccc)";
        NGramRepetition r = NGramRepetition.measure(text, Spans.words(text), 10);
        assertEquals(0.4, r.topFraction(2), 1e-12);
        assertEquals(0.0, r.topFraction(3));
    }

    @Test
    void anNGramSeenOnceIsNotRepetition() {
        String text = "one two three four";
        NGramRepetition r = NGramRepetition.measure(text, Spans.words(text), 4);
        assertEquals(0.0, r.topFraction(2));
        assertEquals(0.0, r.duplicatedFraction(4));
    }

    @Test
    void overlappingDuplicatedNGramsCountEachWordOnce() {
        // xa yb xa yb xa yb xa: the 5-grams at 0 and 2 are equal and together cover all 7 words (14 chars)
        // once, not 10 words. Then 3 unique filler words of 2 chars: total 20 chars -> 14 / 20 = 0.7.
        String text = "xa yb xa yb xa yb xa qa qb qc";
        NGramRepetition r = NGramRepetition.measure(text, Spans.words(text), 10);
        assertEquals(0.7, r.duplicatedFraction(5), 1e-12);
        assertEquals(0.0, r.duplicatedFraction(6));
        // The most frequent 2-gram: "xa yb" three times (4 chars each) = 12 / 20; "yb xa" also three times.
        assertEquals(0.6, r.topFraction(2), 1e-12);
    }

    @Test
    void prunedCountingAgreesWithCountingEveryNGramString() {
        Random random = new Random(42);
        String[] vocabulary = {"a", "bb", "ccc", "the", "of", "and", "x", "yy"};
        for (int round = 0; round < 200; round++) {
            int length = 1 + random.nextInt(80);
            StringBuilder sb = new StringBuilder();
            List<String> words = new ArrayList<>();
            for (int i = 0; i < length; i++) {
                // Small vocabularies give many repeated n-grams of every order.
                String w = vocabulary[random.nextInt(round % 2 == 0 ? 3 : vocabulary.length)];
                words.add(w);
                sb.append(w).append(random.nextInt(5) == 0 ? "\n" : " ");
            }
            String text = sb.toString();
            NGramRepetition r = NGramRepetition.measure(text, Spans.words(text), 10);
            for (int n = 2; n <= 10; n++) {
                assertEquals(naiveTop(words, n), r.topFraction(n), 1e-12, "top " + n + " of " + text);
                assertEquals(naiveDuplicated(words, n), r.duplicatedFraction(n), 1e-12, "dup " + n + " of " + text);
            }
        }
    }

    private static int totalChars(List<String> words) {
        return words.stream().mapToInt(String::length).sum();
    }

    private static Map<String, Integer> counts(List<String> words, int n) {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i + n <= words.size(); i++) {
            counts.merge(String.join(" ", words.subList(i, i + n)), 1, Integer::sum);
        }
        return counts;
    }

    private static double naiveTop(List<String> words, int n) {
        int bestCount = 0;
        int bestChars = 0;
        for (Map.Entry<String, Integer> e : counts(words, n).entrySet()) {
            int chars = e.getKey().length() - (n - 1); // without the joining spaces
            if (e.getValue() > bestCount || (e.getValue() == bestCount && chars > bestChars)) {
                bestCount = e.getValue();
                bestChars = chars;
            }
        }
        return bestCount >= 2 ? (double) bestCount * bestChars / totalChars(words) : 0.0;
    }

    private static double naiveDuplicated(List<String> words, int n) {
        Map<String, Integer> counts = counts(words, n);
        boolean[] covered = new boolean[words.size()];
        for (int i = 0; i + n <= words.size(); i++) {
            if (counts.get(String.join(" ", words.subList(i, i + n))) > 1) {
                for (int k = i; k < i + n; k++) {
                    covered[k] = true;
                }
            }
        }
        int chars = 0;
        for (int i = 0; i < words.size(); i++) {
            if (covered[i]) {
                chars += words.get(i).length();
            }
        }
        return words.isEmpty() ? 0.0 : (double) chars / totalChars(words);
    }
}
