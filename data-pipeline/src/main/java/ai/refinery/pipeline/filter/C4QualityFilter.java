package ai.refinery.pipeline.filter;

import ai.refinery.core.config.Section;
import ai.refinery.pipeline.doc.Document;
import ai.refinery.pipeline.text.Chars;
import ai.refinery.pipeline.text.DatatroveWords;
import ai.refinery.pipeline.text.Hashing;
import ai.refinery.pipeline.text.PhraseMatcher;
import ai.refinery.pipeline.text.PythonText;
import ai.refinery.pipeline.text.Spans;
import ai.refinery.pipeline.text.TerminalPunctuation;
import ai.refinery.pipeline.text.WordSet;
import com.typesafe.config.Config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The C4 cleaning rules (Raffel et al. 2020), as FineWeb applies them. Document-level: reject when the text
 * contains "lorem ipsum" or a curly bracket. Line-level, each line trimmed and stripped of citation markers
 * ([1], [edit], [citation needed]) and dropped when it has fewer than min_words_per_line words, a word longer
 * than max_word_length, (optionally) no terminal punctuation or a final ellipsis, "javascript", or one of the
 * policy phrases. Then reject when the kept text has fewer than min_sentences sentences, or, with a bad-words
 * list, when it contains a listed word or phrase. A kept document carries the kept lines only.
 *
 * <p>With {@link FilterDefinitions#PAPER} the "lorem ipsum" and "{" rules look at the whole document, words are
 * whitespace tokens without surrounding punctuation, sentences are counted by terminal marks over the kept
 * text, and blank lines are layout, not content: a paragraph break between kept lines is kept as one blank line.
 *
 * <p>With {@link FilterDefinitions#DATATROVE} (datatrove's C4QualityFilter): lines are Python's splitlines,
 * stripped; a line's words are its whitespace tokens (the long-word and word-count rules see the line before
 * citation markers are removed); "lorem ipsum" and "{" reject the document only when found in a line that
 * survived the rules before them (terminal punctuation, word count); sentences are counted on each kept line by
 * spaCy's sentencizer ({@link DatatroveWords#countSentences}); the kept lines are joined by single newlines.
 */
public final class C4QualityFilter implements DocumentFilter {
    private static final long serialVersionUID = 1L;
    public static final String NAME = "c4_quality";

    private final boolean filterNoTerminalPunctuation;
    private final int minWordsPerLine;
    private final int maxWordLength;
    /** "javascript" (when filtered) and the policy phrases: a line containing one is dropped. */
    private final PhraseMatcher lineDropPhrases;
    private static final PhraseMatcher LOREM_IPSUM = PhraseMatcher.of(List.of("lorem ipsum"));
    private static final PhraseMatcher JAVASCRIPT = PhraseMatcher.of(List.of("javascript"));
    private final boolean filterJavascript;
    private final boolean filterLoremIpsum;
    private final boolean filterCurlyBracket;
    private final int minSentences;
    private final boolean removeCitations;
    private final WordSet badWords;
    private final int longestBadPhrase;
    private final FilterDefinitions definitions;

    /** @param badWords words or phrases (lower- or mixed-case) that reject a document; empty for none */
    public C4QualityFilter(boolean filterNoTerminalPunctuation, int minWordsPerLine, int maxWordLength,
                           boolean filterJavascript, List<String> policyPhrases, boolean filterLoremIpsum,
                           boolean filterCurlyBracket, int minSentences, boolean removeCitations,
                           List<String> badWords, FilterDefinitions definitions) {
        this.definitions = definitions;
        this.filterNoTerminalPunctuation = filterNoTerminalPunctuation;
        this.minWordsPerLine = minWordsPerLine;
        this.maxWordLength = maxWordLength;
        List<String> dropPhrases = new ArrayList<>(policyPhrases);
        if (filterJavascript) {
            dropPhrases.add("javascript");
        }
        this.lineDropPhrases = PhraseMatcher.of(dropPhrases);
        this.filterJavascript = filterJavascript;
        this.filterLoremIpsum = filterLoremIpsum;
        this.filterCurlyBracket = filterCurlyBracket;
        this.minSentences = minSentences;
        this.removeCitations = removeCitations;
        long[] hashes = new long[badWords.size()];
        int count = 0;
        int longest = 0;
        for (String entry : badWords) {
            long hash = phraseHash(entry);
            if (hash != 0) {
                hashes[count++] = hash;
                longest = Math.max(longest, Spans.words(entry).size());
            }
        }
        this.badWords = WordSet.fromHashes(hashes, count);
        this.longestBadPhrase = longest;
    }

    public static C4QualityFilter fromConfig(Config config) {
        Section s = new Section(config, "filter." + NAME);
        String badWordsFile = s.string("bad_words_file").strip();
        List<String> badWords = badWordsFile.isEmpty() ? List.of() : LineFiles.read(badWordsFile, s.key("bad_words_file"));
        return new C4QualityFilter(
                s.bool("filter_no_terminal_punctuation"),
                s.intAtLeast("min_words_per_line", 0),
                s.intAtLeast("max_word_length", 1),
                s.bool("filter_javascript"),
                s.strings("policy_phrases"),
                s.bool("filter_lorem_ipsum"),
                s.bool("filter_curly_bracket"),
                s.intAtLeast("min_sentences", 0),
                s.bool("remove_citations"),
                badWords,
                FilterDefinitions.fromConfig(config));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Outcome apply(Document document) {
        if (definitions == FilterDefinitions.DATATROVE) {
            return applyDatatrove(document);
        }
        String text = document.text();
        if (filterLoremIpsum && LOREM_IPSUM.find(text, 0, text.length()) != null) {
            return Outcome.reject(document, "lorem_ipsum", "contains 'lorem ipsum'");
        }
        if (filterCurlyBracket && text.indexOf('{') >= 0) {
            return Outcome.reject(document, "curly_bracket", "contains '{'");
        }

        Spans lines = Spans.lines(text);
        StringBuilder kept = new StringBuilder(text.length());
        StringBuilder cleaned = removeCitations ? new StringBuilder(128) : null;
        boolean paragraphBreak = false;
        for (int i = 0; i < lines.size(); i++) {
            int start = Chars.trimStart(text, lines.start(i), lines.end(i));
            int end = Chars.trimEnd(text, start, lines.end(i));
            if (start == end) {
                paragraphBreak = true;
                continue;
            }
            CharSequence line = text;
            if (removeCitations && indexOf(text, '[', start, end) >= 0) {
                cleaned.setLength(0);
                stripCitations(text, start, end, cleaned);
                line = cleaned;
                start = Chars.trimStart(cleaned, 0, cleaned.length());
                end = Chars.trimEnd(cleaned, start, cleaned.length());
            }
            if (!keepLine(line, start, end)) {
                continue;
            }
            if (kept.length() > 0) {
                kept.append(paragraphBreak ? "\n\n" : "\n");
            }
            kept.append(line, start, end);
            paragraphBreak = false;
        }

        int sentences = TerminalPunctuation.countSentences(kept, 0, kept.length());
        return finish(document, kept, sentences);
    }

    private Outcome applyDatatrove(Document document) {
        String text = document.text();
        Spans lines = PythonText.splitlines(text);
        StringBuilder kept = new StringBuilder(text.length());
        StringBuilder cleaned = new StringBuilder(128);
        int sentences = 0;
        int[] words = new int[2];
        // The kept text's word count, from the document's words when an earlier stage computed them (-1: unknown).
        Spans known = DatatroveWords.wordsIfKnown(text);
        int keptWords = known == null ? -1 : 0;
        for (int i = 0; i < lines.size(); i++) {
            int start = PythonText.stripStart(text, lines.start(i), lines.end(i));
            int end = PythonText.stripEnd(text, start, lines.end(i));
            whitespaceWords(text, start, end, words);
            if (words[1] > maxWordLength) {
                continue;
            }
            CharSequence line = text;
            if (removeCitations && indexOf(text, '[', start, end) >= 0) {
                cleaned.setLength(0);
                stripDatatroveCitations(text, start, end, cleaned);
                line = cleaned;
                start = 0;
                end = cleaned.length();
            }
            if (filterNoTerminalPunctuation && (!endsWithC4Terminal(line, start, end)
                    || TerminalPunctuation.endsWithEllipsis(line, start, end) && line.charAt(end - 1) == '.')) {
                continue;
            }
            if (words[0] < minWordsPerLine) {
                continue;
            }
            if (filterLoremIpsum && LOREM_IPSUM.find(line, start, end) != null) {
                return Outcome.reject(document, "lorem_ipsum", "contains 'lorem ipsum'");
            }
            // datatrove's order: "javascript" drops the line, then "{" rejects the document, then a policy phrase
            // drops the line. One matcher finds either phrase; "javascript" is told apart only when it matters.
            boolean dropPhrase = lineDropPhrases.find(line, start, end) != null;
            boolean curly = filterCurlyBracket && indexOf(line, '{', start, end) >= 0;
            if (curly && !(dropPhrase && filterJavascript && JAVASCRIPT.find(line, start, end) != null)) {
                return Outcome.reject(document, "curly_bracket", "contains '{'");
            }
            if (dropPhrase) {
                continue;
            }
            if (sentences < minSentences) {
                sentences += DatatroveWords.countSentences(line, start, end); // past the minimum, the count is moot
            }
            if (keptWords >= 0) {
                // Words never cross whitespace, so a line's words are the document's words inside it.
                keptWords += line == text ? DatatroveWords.countWithin(known, start, end)
                        : DatatroveWords.countWords(line, start, end);
            }
            if (kept.length() > 0) {
                kept.append('\n');
            }
            kept.append(line, start, end);
        }
        int keptEnd = PythonText.stripEnd(kept, 0, kept.length());
        int keptStart = PythonText.stripStart(kept, 0, keptEnd);
        Outcome outcome = finish(document, keptStart == 0 && keptEnd == kept.length() ? kept
                : new StringBuilder(kept.subSequence(keptStart, keptEnd)), sentences);
        if (outcome.kept() && keptWords >= 0 && outcome.document().text() != text) {
            DatatroveWords.rememberCount(outcome.document().text(), keptWords);
        }
        return outcome;
    }

    /** Python's line.split(): words[0] = the number of whitespace tokens, words[1] = the longest one's length. */
    private static void whitespaceWords(CharSequence text, int start, int end, int[] words) {
        int count = 0;
        int longest = 0;
        int i = start;
        while (i < end) {
            while (i < end && PythonText.isSpace(text.charAt(i))) {
                i++;
            }
            if (i == end) {
                break;
            }
            int wordStart = i;
            while (i < end && !PythonText.isSpace(text.charAt(i))) {
                i++;
            }
            count++;
            // Code points never outnumber UTF-16 units: count them only for words that might be the longest.
            if (i - wordStart > longest) {
                longest = Math.max(longest, PythonText.length(text, wordStart, i));
            }
        }
        words[0] = count;
        words[1] = longest;
    }

    /** C4's terminal marks as datatrove checks them: the line ends in . ? ! " or '. */
    private static boolean endsWithC4Terminal(CharSequence line, int start, int end) {
        if (end == start) {
            return false;
        }
        char last = line.charAt(end - 1);
        return last == '.' || last == '?' || last == '!' || last == '"' || last == '\'';
    }

    /** Copies text[start, end) without datatrove's citation markers: [digits] (also []), [edit], [citation needed]. */
    static void stripDatatroveCitations(CharSequence text, int start, int end, StringBuilder out) {
        int i = start;
        while (i < end) {
            if (text.charAt(i) == '[') {
                int j = i + 1;
                while (j < end && Character.isDigit(text.charAt(j))) {
                    j++;
                }
                if (j < end && text.charAt(j) == ']') {
                    i = j + 1;
                    continue;
                }
                int close = indexOf(text, ']', i + 1, Math.min(end, i + 18));
                if (close > i && (regionEquals(text, i + 1, close, "edit") || regionEquals(text, i + 1, close, "citation needed"))) {
                    i = close + 1;
                    continue;
                }
            }
            out.append(text.charAt(i));
            i++;
        }
    }

    private static boolean regionEquals(CharSequence text, int start, int end, String s) {
        if (end - start != s.length()) {
            return false;
        }
        for (int k = 0; k < s.length(); k++) {
            if (text.charAt(start + k) != s.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    /** The rules both definitions end with: enough sentences, no listed bad word; a kept document carries kept. */
    private Outcome finish(Document document, StringBuilder kept, int sentences) {
        String text = document.text();
        Measures measures = new Measures().put("sentences", sentences)
                .put("kept_chars_ratio", text.isEmpty() ? 1.0 : (double) kept.length() / text.length());
        if (sentences < minSentences) {
            return measures.reject(document, "too_few_sentences", sentences + " < " + minSentences);
        }
        if (!badWords.isEmpty()) {
            String found = findBadWord(kept);
            if (found != null) {
                return measures.reject(document, "bad_words", "contains '" + found + "'");
            }
        }
        if (kept.length() == text.length() && kept.toString().equals(text)) {
            return measures.keep(document);
        }
        return measures.keep(document.withText(kept.toString()));
    }

    private boolean keepLine(CharSequence line, int start, int end) {
        if (Spans.countWords(line, start, end) < minWordsPerLine) {
            return false;
        }
        // No word can be longer than the line: only long lines need their words measured.
        if (end - start > maxWordLength) {
            Spans words = Spans.words(line, start, end);
            for (int w = 0; w < words.size(); w++) {
                if (words.length(w) > maxWordLength) {
                    return false;
                }
            }
        }
        if (filterNoTerminalPunctuation && (!TerminalPunctuation.endsWithTerminal(line, start, end)
                || TerminalPunctuation.endsWithEllipsis(line, start, end))) {
            return false;
        }
        return lineDropPhrases.find(line, start, end) == null;
    }

    /** Copies text[start, end) into out without markers [12], [edit] and [citation needed]. */
    static void stripCitations(CharSequence text, int start, int end, StringBuilder out) {
        int i = start;
        while (i < end) {
            char c = text.charAt(i);
            if (c == '[') {
                int close = indexOf(text, ']', i + 1, Math.min(end, i + 20));
                if (close > i + 1 && isCitation(text, i + 1, close)) {
                    i = close + 1;
                    continue;
                }
            }
            out.append(c);
            i++;
        }
    }

    private static boolean isCitation(CharSequence text, int start, int end) {
        boolean digits = true;
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                digits = false;
                break;
            }
        }
        if (digits) {
            return true;
        }
        return regionEqualsIgnoreCase(text, start, end, "edit")
                || regionEqualsIgnoreCase(text, start, end, "citation needed");
    }

    private static boolean regionEqualsIgnoreCase(CharSequence text, int start, int end, String lower) {
        if (end - start != lower.length()) {
            return false;
        }
        for (int i = 0; i < lower.length(); i++) {
            if (Chars.toLowerCase(text.charAt(start + i)) != lower.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(CharSequence text, char c, int start, int end) {
        for (int i = start; i < end; i++) {
            if (text.charAt(i) == c) {
                return i;
            }
        }
        return -1;
    }

    /** The first listed word or phrase among the words of text (case-insensitive), or null. */
    private String findBadWord(CharSequence text) {
        Spans words = Spans.words(text);
        int count = words.size();
        long[] hashes = new long[count];
        for (int i = 0; i < count; i++) {
            hashes[i] = Hashing.hashLower(text, words.start(i), words.end(i));
        }
        for (int i = 0; i < count; i++) {
            long phrase = hashes[i];
            for (int k = 1; k <= longestBadPhrase && i + k <= count; k++) {
                if (k > 1) {
                    phrase = Hashing.combine(phrase, hashes[i + k - 1]);
                }
                if (badWords.indexOf(phrase) >= 0) {
                    return text.subSequence(words.start(i), words.end(i + k - 1)).toString();
                }
            }
        }
        return null;
    }

    /**
     * The hash a listed entry is matched by: its words, lower-cased and combined in order. Entries whose
     * whitespace tokens are not plain words (they begin or end with punctuation, like "a$$") cannot be matched
     * word by word and give 0, meaning "skip".
     */
    static long phraseHash(String entry) {
        String lower = entry.strip().toLowerCase(Locale.ROOT);
        Spans words = Spans.words(lower);
        List<String> tokens = new ArrayList<>();
        for (String token : lower.split("\\s+")) {
            if (!token.isEmpty()) {
                tokens.add(token);
            }
        }
        if (words.size() == 0 || words.size() != tokens.size()) {
            return 0;
        }
        long hash = 0;
        for (int w = 0; w < words.size(); w++) {
            if (words.length(w) != tokens.get(w).length()) {
                return 0;
            }
            long h = Hashing.hashLower(lower, words.start(w), words.end(w));
            hash = w == 0 ? h : Hashing.combine(hash, h);
        }
        return hash;
    }
}
