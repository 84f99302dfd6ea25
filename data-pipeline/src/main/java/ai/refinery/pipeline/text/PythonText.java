package ai.refinery.pipeline.text;

/**
 * Python's string operations that datatrove's filters are written with, over offsets into a text:
 * {@code str.splitlines()}, {@code str.split("\n")}, {@code re.split("\n+")}, {@code str.strip()} and
 * {@code len} (which counts code points, not UTF-16 units).
 */
public final class PythonText {
    private PythonText() {
    }

    /** Python's str.isspace for one character (surrogates are never space). */
    public static boolean isSpace(char c) {
        return DatatroveWords.isSpace(c);
    }

    /** The first offset in [start, end) that is not Python whitespace (end if none). */
    public static int stripStart(CharSequence text, int start, int end) {
        while (start < end && isSpace(text.charAt(start))) {
            start++;
        }
        return start;
    }

    /** One past the last offset in [start, end) that is not Python whitespace (start if none). */
    public static int stripEnd(CharSequence text, int start, int end) {
        while (end > start && isSpace(text.charAt(end - 1))) {
            end--;
        }
        return end;
    }

    /** len() of text[start, end): its code points. */
    public static int length(CharSequence text, int start, int end) {
        if (text instanceof String string) {
            return string.codePointCount(start, end); // constant time for Latin-1 strings
        }
        int surrogatePairs = 0;
        for (int i = start; i < end - 1; i++) {
            if (Character.isHighSurrogate(text.charAt(i)) && Character.isLowSurrogate(text.charAt(i + 1))) {
                surrogatePairs++;
                i++;
            }
        }
        return end - start - surrogatePairs;
    }

    /** Whether Python's str.splitlines() breaks lines at c (\r\n counts as one break). */
    static boolean isLineBreak(char c) {
        return c == '\n' || c == '\r' || c == '\u000B' || c == '\u000C' || c == '\u001C' || c == '\u001D'
                || c == '\u001E' || c == '\u0085' || c == '\u2028' || c == '\u2029';
    }

    /** str.splitlines(): no empty line after a final break, none at all for "". */
    public static Spans splitlines(CharSequence text) {
        int length = text.length();
        Spans spans = new Spans(length / 40 + 4);
        int start = 0;
        int i = 0;
        while (i < length) {
            char c = text.charAt(i);
            if (isLineBreak(c)) {
                spans.add(start, i);
                i += c == '\r' && i + 1 < length && text.charAt(i + 1) == '\n' ? 2 : 1;
                start = i;
            } else {
                i++;
            }
        }
        if (start < length) {
            spans.add(start, length);
        }
        return spans;
    }

    /** text[from, to).split(separator): every piece, empty ones included. */
    public static Spans split(CharSequence text, int from, int to, char separator) {
        Spans spans = new Spans((to - from) / 40 + 4);
        int start = from;
        for (int i = from; i < to; i++) {
            if (text.charAt(i) == separator) {
                spans.add(start, i);
                start = i + 1;
            }
        }
        spans.add(start, to);
        return spans;
    }

    /** re.split("\n{minRun,}", text[from, to)): pieces between runs of at least minRun newlines. */
    public static Spans splitOnNewlineRuns(CharSequence text, int from, int to, int minRun) {
        Spans spans = new Spans((to - from) / 80 + 4);
        int start = from;
        int i = from;
        while (i < to) {
            if (text.charAt(i) == '\n') {
                int j = i;
                while (j < to && text.charAt(j) == '\n') {
                    j++;
                }
                if (j - i >= minRun) {
                    spans.add(start, i);
                    start = j;
                }
                i = j;
            } else {
                i++;
            }
        }
        spans.add(start, to);
        return spans;
    }
}
