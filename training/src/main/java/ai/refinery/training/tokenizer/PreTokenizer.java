package ai.refinery.training.tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * GPT-2 pre-tokenisation: splits text into the pieces BPE works within, exactly as the regular expression
 * {@value #GPT2_PATTERN} (the Hugging Face ByteLevel pre-tokenizer's) does, with Unicode classes: letters
 * \p{L}, numbers \p{N}, and \s the Unicode White_Space property. Contractions split off ("'s", "'ll"), a
 * single leading space (U+0020) attaches to the following word, number or punctuation run, and whitespace
 * runs keep their last character for the next piece.
 *
 * <p>Hand-written as a scanner instead of using java.util.regex because tokenisation is the hot loop of
 * packing: the scanner is several times faster and allocates nothing. A test checks it against the
 * regular expression on real multilingual text.
 */
public final class PreTokenizer {
    public static final String GPT2_PATTERN =
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

    /** Receives each piece as a [start, end) range of char indices. */
    @FunctionalInterface
    public interface Sink {
        void piece(int start, int end);
    }

    private static final int LETTER = 0;
    private static final int NUMBER = 1;
    private static final int SPACE = 2;
    private static final int OTHER = 3;

    private PreTokenizer() {
    }

    public static List<String> split(String text) {
        List<String> out = new ArrayList<>();
        split(text, 0, text.length(), (s, e) -> out.add(text.substring(s, e)));
        return out;
    }

    /** Splits text[from, to) and reports every piece in order; the pieces cover the range exactly. */
    public static void split(String text, int from, int to, Sink sink) {
        int i = from;
        while (i < to) {
            char c = text.charAt(i);
            if (c == '\'' && i + 1 < to) {
                int len = contraction(text, i, to);
                if (len > 0) {
                    sink.piece(i, i + len);
                    i += len;
                    continue;
                }
            }
            int cp = text.codePointAt(i);
            int cls = classOf(cp);
            int runStart = i;
            if (cp == ' ' && i + 1 < to) {
                int nextClass = classOf(text.codePointAt(i + 1));
                if (nextClass != SPACE) {
                    cls = nextClass;
                    runStart = i + 1;
                }
            }
            if (cls != SPACE) {
                int end = runEnd(text, runStart, to, cls);
                sink.piece(i, end);
                i = end;
                continue;
            }
            // Whitespace: "\s+(?!\S)" takes the run but leaves its last character when non-space follows;
            // a single whitespace character before non-space is taken alone by the final "\s+".
            int end = runEnd(text, i, to, SPACE);
            if (end < to) {
                int last = end - Character.charCount(text.codePointBefore(end));
                if (last > i) {
                    end = last;
                }
            }
            sink.piece(i, end);
            i = end;
        }
    }

    private static int contraction(String text, int i, int to) {
        char c1 = text.charAt(i + 1);
        if (c1 == 's' || c1 == 't' || c1 == 'm' || c1 == 'd') {
            return 2;
        }
        if (i + 2 < to) {
            char c2 = text.charAt(i + 2);
            if ((c1 == 'r' && c2 == 'e') || (c1 == 'v' && c2 == 'e') || (c1 == 'l' && c2 == 'l')) {
                return 3;
            }
        }
        return 0;
    }

    private static int runEnd(String text, int start, int to, int cls) {
        int j = start;
        while (j < to) {
            int cp = text.codePointAt(j);
            if (classOf(cp) != cls) {
                break;
            }
            j += Character.charCount(cp);
        }
        return j;
    }

    static int classOf(int cp) {
        if (cp < 128) {
            if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z')) {
                return LETTER;
            }
            if (cp >= '0' && cp <= '9') {
                return NUMBER;
            }
            if (cp == ' ' || (cp >= 0x09 && cp <= 0x0D)) {
                return SPACE;
            }
            return OTHER;
        }
        if (isWhiteSpace(cp)) {
            return SPACE;
        }
        switch (Character.getType(cp)) {
            case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
                    Character.MODIFIER_LETTER, Character.OTHER_LETTER:
                return LETTER;
            case Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER:
                return NUMBER;
            default:
                return OTHER;
        }
    }

    /** The Unicode White_Space property (what \s means in Unicode regular expressions). */
    static boolean isWhiteSpace(int cp) {
        return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680
                || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F
                || cp == 0x205F || cp == 0x3000;
    }
}
