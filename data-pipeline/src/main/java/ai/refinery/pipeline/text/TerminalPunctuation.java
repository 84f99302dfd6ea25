package ai.refinery.pipeline.text;

/**
 * Sentence-final punctuation across scripts, for the "line ends in terminal punctuation" rules of C4 and
 * FineWeb and for counting sentences.
 */
public final class TerminalPunctuation {
    /** Marks that end a sentence: . ! ? and their counterparts in other scripts. */
    private static final String SENTENCE_END = ".!?\u2026\u203C\u2047\u2048\u2049" // … ‼ ⁇ ⁈ ⁉
            + "\u3002\uFF01\uFF1F\uFF61\uFE12\uFE52\uFE56\uFE57\uFF0E" // 。！？｡︒﹒﹖﹗．
            + "\u061F\u06D4\u0964\u0965\u1362\u0589\u055E\u10FB\u17D4\u1367\u104B"; // ؟ ۔ । ॥ ። ։ ՞ ჻ ។ ፧ ။
    /** Closing quotes, which may follow the sentence-final mark ("He left." or He said "no."). */
    private static final String CLOSING_QUOTES = "\"'\u201D\u2019\u00BB\u300D\u300F";

    private TerminalPunctuation() {
    }

    public static boolean isSentenceEnd(char c) {
        if (c < 128) {
            return c == '.' || c == '!' || c == '?';
        }
        return SENTENCE_END.indexOf(c) >= 0;
    }

    public static boolean isClosingQuote(char c) {
        if (c < 128) {
            return c == '"' || c == '\'';
        }
        return CLOSING_QUOTES.indexOf(c) >= 0;
    }

    /**
     * Whether text[start, end), ignoring trailing whitespace, ends in terminal punctuation: a sentence-end mark
     * or a closing quote (as in the C4 and FineWeb reference rules, which accept a final quote).
     */
    public static boolean endsWithTerminal(CharSequence text, int start, int end) {
        end = Chars.trimEnd(text, start, end);
        if (end == start) {
            return false;
        }
        char last = text.charAt(end - 1);
        return isSentenceEnd(last) || isClosingQuote(last);
    }

    /** Whether text[start, end), ignoring trailing whitespace, ends with "..." or "…". */
    public static boolean endsWithEllipsis(CharSequence text, int start, int end) {
        end = Chars.trimEnd(text, start, end);
        if (end > start && text.charAt(end - 1) == '\u2026') {
            return true;
        }
        return end - start >= 3 && text.charAt(end - 1) == '.' && text.charAt(end - 2) == '.'
                && text.charAt(end - 3) == '.';
    }

    /**
     * Counts sentences in text[start, end): a sentence ends at a run of sentence-end marks (optionally followed
     * by closing quotes or brackets) that is followed by whitespace or the end of the text, and counts only if
     * it holds a letter or digit. Text after the last mark counts as one more sentence if it holds a letter or
     * digit. Line breaks alone do not end a sentence. Abbreviations ("Mr. Smith") are over-counted; this is a
     * heuristic for the C4 "at least N sentences" rule, not a sentence splitter.
     */
    public static int countSentences(CharSequence text, int start, int end) {
        int sentences = 0;
        boolean content = false;
        int i = start;
        while (i < end) {
            char c = text.charAt(i);
            if (isSentenceEnd(c)) {
                int j = i + 1;
                while (j < end && isSentenceEnd(text.charAt(j))) {
                    j++;
                }
                while (j < end && (isClosingQuote(text.charAt(j)) || text.charAt(j) == ')' || text.charAt(j) == ']')) {
                    j++;
                }
                if (j == end || Chars.isSpace(text.charAt(j))) {
                    if (content) {
                        sentences++;
                    }
                    content = false;
                }
                i = j;
                continue;
            }
            if (!content && Character.isLetterOrDigit(Character.codePointAt(text, i))) {
                content = true;
            }
            i++;
        }
        return content ? sentences + 1 : sentences;
    }
}
