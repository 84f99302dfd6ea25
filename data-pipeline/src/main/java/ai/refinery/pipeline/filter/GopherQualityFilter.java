package ai.refinery.pipeline.filter;

import ai.refinery.core.config.ConfigError;
import ai.refinery.core.config.Section;
import ai.refinery.pipeline.doc.Document;
import ai.refinery.pipeline.text.Chars;
import ai.refinery.pipeline.text.DatatroveWords;
import ai.refinery.pipeline.text.Hashing;
import ai.refinery.pipeline.text.PythonText;
import ai.refinery.pipeline.text.Spans;
import ai.refinery.pipeline.text.TerminalPunctuation;
import ai.refinery.pipeline.text.WordSet;
import com.typesafe.config.Config;

import java.util.List;

/**
 * The Gopher document quality rules (Rae et al. 2021, MassiveText). A document is kept when all hold:
 * min_words <= words <= max_words; min <= mean word length <= max; ('#' count + "..."/"…" count) / words <=
 * max_symbol_word_ratio; share of lines starting with a bullet <= max_bullet_lines_ratio; share of lines ending
 * with an ellipsis <= max_ellipsis_lines_ratio; share of words holding a letter >= min_alpha_words_ratio; at
 * least min_stop_words distinct stop words occur.
 *
 * <p>With {@link FilterDefinitions#DATATROVE} (datatrove's GopherQualityFilter): words are datatrove's (spaCy
 * tokens, punctuation tokens included); the word count and the mean length are over words holding a character
 * that is not punctuation, the '#' and ellipsis ratios (checked apart) and the letter share over all words;
 * lines are Python's splitlines, blank ones included; bullets are '•' and '-'; stop words match exactly
 * (case-sensitive). With {@link FilterDefinitions#PAPER}: words are whitespace tokens without surrounding
 * punctuation (as in {@link Spans}); lines are the non-blank ones; bullets are any common bullet character;
 * stop words match ignoring case.
 */
public final class GopherQualityFilter implements DocumentFilter {
    private static final long serialVersionUID = 1L;
    public static final String NAME = "gopher_quality";

    /** Characters that open a bulleted line. */
    private static final String BULLETS = "-*\u2022\u2023\u2043\u25E6\u25CF\u25CB\u25A0\u25A1\u25AA\u25AB"
            + "\u25BA\u25B6\u27A2\u27A4\u2713\u2714\u2013\u2014\u00B7";

    private final int minWords;
    private final int maxWords;
    private final double minAvgWordLength;
    private final double maxAvgWordLength;
    private final double maxSymbolWordRatio;
    private final double maxBulletLinesRatio;
    private final double maxEllipsisLinesRatio;
    private final double minAlphaWordsRatio;
    private final int minStopWords;
    private final WordSet stopWords;
    private final int longestStopWord;
    /** Exact (case-sensitive) hashes of the stop words, for datatrove's definition. */
    private final long[] exactStopWords;
    private final FilterDefinitions definitions;

    public GopherQualityFilter(int minWords, int maxWords, double minAvgWordLength, double maxAvgWordLength,
                               double maxSymbolWordRatio, double maxBulletLinesRatio, double maxEllipsisLinesRatio,
                               double minAlphaWordsRatio, int minStopWords, List<String> stopWords,
                               FilterDefinitions definitions) {
        this.definitions = definitions;
        this.exactStopWords = stopWords.stream().mapToLong(Hashing::hash).distinct().toArray();
        this.minWords = minWords;
        this.maxWords = maxWords;
        this.minAvgWordLength = minAvgWordLength;
        this.maxAvgWordLength = maxAvgWordLength;
        this.maxSymbolWordRatio = maxSymbolWordRatio;
        this.maxBulletLinesRatio = maxBulletLinesRatio;
        this.maxEllipsisLinesRatio = maxEllipsisLinesRatio;
        this.minAlphaWordsRatio = minAlphaWordsRatio;
        this.minStopWords = minStopWords;
        this.stopWords = WordSet.of(stopWords);
        this.longestStopWord = stopWords.stream().mapToInt(String::length).max().orElse(0);
    }

    public static GopherQualityFilter fromConfig(Config config) {
        Section s = new Section(config, "filter." + NAME);
        int minWords = s.intAtLeast("min_words", 0);
        int maxWords = s.intAtLeast("max_words", 1);
        if (maxWords < minWords) {
            throw ConfigError.forKey(s.key("max_words"), "must be at least min_words (" + minWords + "), got " + maxWords);
        }
        double minLength = s.nonNegative("min_avg_word_length");
        double maxLength = s.nonNegative("max_avg_word_length");
        if (maxLength < minLength) {
            throw ConfigError.forKey(s.key("max_avg_word_length"),
                    "must be at least min_avg_word_length (" + minLength + "), got " + maxLength);
        }
        List<String> stopWords = s.strings("stop_words");
        int minStopWords = s.intAtLeast("min_stop_words", 0);
        if (minStopWords > stopWords.size()) {
            throw ConfigError.forKey(s.key("min_stop_words"),
                    "must be at most the number of stop_words (" + stopWords.size() + "), got " + minStopWords);
        }
        return new GopherQualityFilter(minWords, maxWords, minLength, maxLength,
                s.fraction("max_symbol_word_ratio"), s.fraction("max_bullet_lines_ratio"),
                s.fraction("max_ellipsis_lines_ratio"), s.fraction("min_alpha_words_ratio"), minStopWords, stopWords,
                FilterDefinitions.fromConfig(config));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Outcome apply(Document document) {
        String text = document.text();
        Measures measures = new Measures();
        boolean datatrove = definitions == FilterDefinitions.DATATROVE;
        Spans words = definitions.words(text);
        int allWords = words.size();
        boolean noSurrogates = !datatrove || PythonText.length(text, 0, text.length()) == text.length();
        // The words counted and measured: datatrove leaves out words made only of punctuation.
        int wordCount = 0;
        long wordChars = 0;
        int alphaWords = 0;
        boolean[] stopSeen = minStopWords > 0 ? new boolean[Math.max(stopWords.size(), exactStopWords.length)] : null;
        int distinctStopWords = 0;
        for (int i = 0; i < allWords; i++) {
            int start = words.start(i);
            int end = words.end(i);
            if (Chars.containsLetter(text, start, end)) {
                alphaWords++;
            }
            if (datatrove) {
                if (DatatroveWords.hasNonPunctuation(text, start, end)) {
                    wordCount++;
                    wordChars += noSurrogates ? end - start : PythonText.length(text, start, end);
                }
            } else {
                wordCount++;
                wordChars += end - start;
            }
            // Stop words are short: longer words are not hashed.
            if (stopSeen != null && distinctStopWords < minStopWords && end - start <= longestStopWord) {
                int index = datatrove ? exactStopWordIndex(Hashing.hash(text, start, end))
                        : stopWords.indexOf(Hashing.hashLower(text, start, end));
                if (index >= 0 && !stopSeen[index]) {
                    stopSeen[index] = true;
                    distinctStopWords++;
                }
            }
        }
        measures.put("words", wordCount);
        if (wordCount < minWords) {
            return measures.reject(document, "too_few_words", wordCount + " < " + minWords);
        }
        if (wordCount > maxWords) {
            return measures.reject(document, "too_many_words", wordCount + " > " + maxWords);
        }
        if (wordCount == 0) {
            return measures.reject(document, "too_few_words", "0 words");
        }

        double meanLength = (double) wordChars / wordCount;
        measures.put("mean_word_length", meanLength);
        if (meanLength < minAvgWordLength) {
            return measures.reject(document, "avg_word_length", Details.below(meanLength, minAvgWordLength));
        }
        if (meanLength > maxAvgWordLength) {
            return measures.reject(document, "avg_word_length", Details.above(meanLength, maxAvgWordLength));
        }

        if (datatrove) {
            // Two ratios over all words, '#' first.
            int hashCount = count(text, '#');
            double hashes = (double) hashCount / allWords;
            measures.put("hash_word_ratio", hashes);
            if (hashes > maxSymbolWordRatio) {
                return measures.reject(document, "symbol_word_ratio", "'#' " + Details.above(hashes, maxSymbolWordRatio));
            }
            double ellipses = (double) (countSymbols(text) - hashCount) / allWords;
            measures.put("ellipsis_word_ratio", ellipses);
            if (ellipses > maxSymbolWordRatio) {
                return measures.reject(document, "symbol_word_ratio", "ellipsis " + Details.above(ellipses, maxSymbolWordRatio));
            }
        } else {
            double symbolRatio = (double) countSymbols(text) / wordCount;
            measures.put("symbol_word_ratio", symbolRatio);
            if (symbolRatio > maxSymbolWordRatio) {
                return measures.reject(document, "symbol_word_ratio", Details.above(symbolRatio, maxSymbolWordRatio));
            }
        }

        Spans lines = datatrove ? PythonText.splitlines(text) : Spans.lines(text);
        int counted = 0;
        int bulletLines = 0;
        int ellipsisLines = 0;
        for (int i = 0; i < lines.size(); i++) {
            int start = datatrove ? PythonText.stripStart(text, lines.start(i), lines.end(i))
                    : Chars.trimStart(text, lines.start(i), lines.end(i));
            int end = datatrove ? PythonText.stripEnd(text, start, lines.end(i)) : Chars.trimEnd(text, start, lines.end(i));
            if (start == end && !datatrove) {
                continue; // the paper's shares are over non-blank lines; datatrove's over all lines
            }
            counted++;
            if (start < end && (datatrove ? text.charAt(start) == '\u2022' || text.charAt(start) == '-'
                    : BULLETS.indexOf(text.charAt(start)) >= 0)) {
                bulletLines++;
            }
            if (TerminalPunctuation.endsWithEllipsis(text, start, end)) {
                ellipsisLines++;
            }
        }
        if (counted > 0) {
            double bulletRatio = (double) bulletLines / counted;
            measures.put("bullet_lines_ratio", bulletRatio);
            if (bulletRatio > maxBulletLinesRatio) {
                return measures.reject(document, "bullet_lines", Details.above(bulletRatio, maxBulletLinesRatio));
            }
            double ellipsisRatio = (double) ellipsisLines / counted;
            measures.put("ellipsis_lines_ratio", ellipsisRatio);
            if (ellipsisRatio > maxEllipsisLinesRatio) {
                return measures.reject(document, "ellipsis_lines", Details.above(ellipsisRatio, maxEllipsisLinesRatio));
            }
        }

        double alphaRatio = (double) alphaWords / allWords;
        measures.put("alpha_words_ratio", alphaRatio);
        if (alphaRatio < minAlphaWordsRatio) {
            return measures.reject(document, "alpha_words", Details.below(alphaRatio, minAlphaWordsRatio));
        }
        // Counting stops once min_stop_words are found: the value is at most min_stop_words.
        measures.put("stop_words", distinctStopWords);
        if (distinctStopWords < minStopWords) {
            return measures.reject(document, "stop_words", distinctStopWords + " < " + minStopWords);
        }
        return measures.keep(document);
    }

    private int exactStopWordIndex(long hash) {
        for (int i = 0; i < exactStopWords.length; i++) {
            if (exactStopWords[i] == hash) {
                return i;
            }
        }
        return -1;
    }

    private static int count(CharSequence text, char c) {
        int count = 0;
        for (int i = 0, n = text.length(); i < n; i++) {
            if (text.charAt(i) == c) {
                count++;
            }
        }
        return count;
    }

    /** '#' characters plus ellipses ("..." or "…"; a run of six dots is two). */
    static int countSymbols(CharSequence text) {
        int count = 0;
        int dots = 0;
        for (int i = 0, n = text.length(); i < n; i++) {
            char c = text.charAt(i);
            if (c == '.') {
                if (++dots == 3) {
                    count++;
                    dots = 0;
                }
                continue;
            }
            dots = 0;
            if (c == '#' || c == '\u2026') {
                count++;
            }
        }
        return count;
    }
}
