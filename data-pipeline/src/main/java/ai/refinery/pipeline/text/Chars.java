package ai.refinery.pipeline.text;

/**
 * Character classes used by the text heuristics. ASCII is answered from tables; everything else from the
 * Unicode general category, so that filters work the same on any script.
 */
public final class Chars {
    private static final boolean[] ASCII_SPACE = new boolean[128];
    private static final boolean[] ASCII_PUNCT_OR_SYMBOL = new boolean[128];

    static {
        for (char c : new char[] {' ', '\t', '\n', '\r', '\f', '\u000B', '\u001C', '\u001D', '\u001E', '\u001F'}) {
            ASCII_SPACE[c] = true;
        }
        for (int c = 0x21; c < 0x7F; c++) {
            ASCII_PUNCT_OR_SYMBOL[c] = !Character.isLetterOrDigit(c);
        }
    }

    private Chars() {
    }

    /** Whitespace, including the no-break and other Unicode space separators that Java's isWhitespace leaves out. */
    public static boolean isSpace(char c) {
        if (c < 128) {
            return ASCII_SPACE[c];
        }
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\uFEFF' || c == '\u200B';
    }

    /** Punctuation (Unicode P*) or a symbol (S*): '#', '|', '$', '©', emoji ... */
    public static boolean isPunctOrSymbol(int codePoint) {
        if (codePoint < 128) {
            return ASCII_PUNCT_OR_SYMBOL[codePoint];
        }
        switch (Character.getType(codePoint)) {
            case Character.MATH_SYMBOL:
            case Character.CURRENCY_SYMBOL:
            case Character.MODIFIER_SYMBOL:
            case Character.OTHER_SYMBOL:
                return true;
            default:
                return isPunctuation(codePoint);
        }
    }

    /** Unicode punctuation (P*): what Python's unicodedata.category(c).startswith("P") accepts. */
    public static boolean isPunctuation(int codePoint) {
        switch (Character.getType(codePoint)) {
            case Character.CONNECTOR_PUNCTUATION:
            case Character.DASH_PUNCTUATION:
            case Character.START_PUNCTUATION:
            case Character.END_PUNCTUATION:
            case Character.INITIAL_QUOTE_PUNCTUATION:
            case Character.FINAL_QUOTE_PUNCTUATION:
            case Character.OTHER_PUNCTUATION:
                return true;
            default:
                return false;
        }
    }

    public static char toLowerCase(char c) {
        if (c < 128) {
            return (c >= 'A' && c <= 'Z') ? (char) (c + 32) : c;
        }
        return Character.toLowerCase(c);
    }

    /** Whether text[start, end) contains a letter of any script (supplementary planes included). */
    public static boolean containsLetter(CharSequence text, int start, int end) {
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            if (c < 128) {
                if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') {
                    return true;
                }
            } else if (Character.isHighSurrogate(c) && i + 1 < end) {
                if (Character.isLetter(Character.toCodePoint(c, text.charAt(i + 1)))) {
                    return true;
                }
                i++;
            } else if (Character.isLetter(c)) {
                return true;
            }
        }
        return false;
    }

    /** First index in [start, end) that is not a space, or end. */
    public static int trimStart(CharSequence text, int start, int end) {
        while (start < end && isSpace(text.charAt(start))) {
            start++;
        }
        return start;
    }

    /** One past the last index in [start, end) that is not a space, or start. */
    public static int trimEnd(CharSequence text, int start, int end) {
        while (end > start && isSpace(text.charAt(end - 1))) {
            end--;
        }
        return end;
    }

    public static boolean isBlank(CharSequence text, int start, int end) {
        return trimStart(text, start, end) == end;
    }
}
