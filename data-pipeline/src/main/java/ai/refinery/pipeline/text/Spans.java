package ai.refinery.pipeline.text;

import java.util.Arrays;

/**
 * A list of [start, end) regions of one text: its words, lines or paragraphs. Regions are offsets into the
 * text rather than substrings, so splitting a document allocates two int arrays instead of a String per
 * word.
 *
 * <p>Definitions shared by every filter:
 * <ul>
 *   <li>a <b>word</b> is a whitespace-separated token with its leading and trailing punctuation and symbols
 *       removed ("(hello," is the word "hello"); a token made only of punctuation or symbols ("-", "|", "#")
 *       is not a word;</li>
 *   <li>a <b>line</b> is the text between two '\n' (a trailing '\r' is dropped); the empty tail after a final
 *       newline is not a line;</li>
 *   <li>a <b>paragraph</b> is a run of non-blank lines between blank lines, trimmed of surrounding
 *       whitespace.</li>
 * </ul>
 */
public final class Spans {
    private int[] starts;
    private int[] ends;
    private int size;

    Spans(int capacity) {
        starts = new int[Math.max(4, capacity)];
        ends = new int[starts.length];
    }

    public int size() {
        return size;
    }

    public int start(int i) {
        return starts[i];
    }

    public int end(int i) {
        return ends[i];
    }

    public int length(int i) {
        return ends[i] - starts[i];
    }

    /** Drops the regions from index size on. */
    void truncate(int newSize) {
        size = Math.min(size, newSize);
    }

    void add(int start, int end) {
        if (size == starts.length) {
            int capacity = size * 2;
            starts = Arrays.copyOf(starts, capacity);
            ends = Arrays.copyOf(ends, capacity);
        }
        starts[size] = start;
        ends[size] = end;
        size++;
    }

    public static Spans words(CharSequence text) {
        return words(text, 0, text.length());
    }

    /** The words of text[from, to). */
    public static Spans words(CharSequence text, int from, int to) {
        Spans spans = new Spans((to - from) / 6 + 4);
        int[] bounds = new int[3];
        int i = from;
        while (nextWord(text, i, to, bounds)) {
            spans.add(bounds[0], bounds[1]);
            i = bounds[2];
        }
        return spans;
    }

    /** The number of words of text[from, to), without storing them. */
    public static int countWords(CharSequence text, int from, int to) {
        int[] bounds = new int[3];
        int count = 0;
        int i = from;
        while (nextWord(text, i, to, bounds)) {
            count++;
            i = bounds[2];
        }
        return count;
    }

    /**
     * Finds the first word at or after {@code from} in text[from, to): on success bounds holds {start, end,
     * where to continue scanning}. Lets callers walk words without allocating.
     */
    public static boolean nextWord(CharSequence text, int from, int to, int[] bounds) {
        int i = from;
        while (true) {
            while (i < to && Chars.isSpace(text.charAt(i))) {
                i++;
            }
            if (i == to) {
                return false;
            }
            int start = i;
            while (i < to && !Chars.isSpace(text.charAt(i))) {
                i++;
            }
            int end = i;
            // Trim punctuation by code point so emoji (surrogate pairs) count as symbols.
            while (start < end) {
                char c = text.charAt(start);
                int cp = Character.isHighSurrogate(c) ? Character.codePointAt(text, start) : c;
                if (!Chars.isPunctOrSymbol(cp)) {
                    break;
                }
                start += Character.charCount(cp);
            }
            while (end > start) {
                char c = text.charAt(end - 1);
                int cp = Character.isLowSurrogate(c) ? Character.codePointBefore(text, end) : c;
                if (!Chars.isPunctOrSymbol(cp)) {
                    break;
                }
                end -= Character.charCount(cp);
            }
            if (start < end) {
                bounds[0] = start;
                bounds[1] = end;
                bounds[2] = i;
                return true;
            }
        }
    }

    /** Every line, blank ones included, without its line terminator. */
    public static Spans lines(CharSequence text) {
        int length = text.length();
        Spans spans = new Spans(length / 40 + 4);
        int start = 0;
        // String.indexOf is a vectorised intrinsic; other sequences are scanned by hand.
        String string = text instanceof String ? (String) text : null;
        while (start < length) {
            int i;
            if (string != null) {
                i = string.indexOf('\n', start);
            } else {
                i = start;
                while (i < length && text.charAt(i) != '\n') {
                    i++;
                }
                if (i == length) {
                    i = -1;
                }
            }
            if (i < 0) {
                break;
            }
            spans.add(start, i > start && text.charAt(i - 1) == '\r' ? i - 1 : i);
            start = i + 1;
        }
        if (start < length) {
            spans.add(start, text.charAt(length - 1) == '\r' ? length - 1 : length);
        }
        return spans;
    }

    /** Paragraphs: runs of non-blank lines separated by blank lines, each trimmed of surrounding whitespace. */
    public static Spans paragraphs(CharSequence text) {
        Spans lines = lines(text);
        Spans spans = new Spans(lines.size() / 4 + 4);
        int paragraphStart = -1;
        int paragraphEnd = -1;
        for (int i = 0; i < lines.size(); i++) {
            int s = Chars.trimStart(text, lines.start(i), lines.end(i));
            int e = Chars.trimEnd(text, s, lines.end(i));
            if (s == e) {
                if (paragraphStart >= 0) {
                    spans.add(paragraphStart, paragraphEnd);
                    paragraphStart = -1;
                }
            } else {
                if (paragraphStart < 0) {
                    paragraphStart = s;
                }
                paragraphEnd = e;
            }
        }
        if (paragraphStart >= 0) {
            spans.add(paragraphStart, paragraphEnd);
        }
        return spans;
    }
}
