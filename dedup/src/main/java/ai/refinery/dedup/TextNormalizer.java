package ai.refinery.dedup;

import java.text.Normalizer;

/**
 * The text normalisation applied before hashing (the FineWeb MinHash recipe): lowercase, diacritics
 * stripped, every run of digits (with inner '.' or ',' separators, so "3.14" and "1,000" count as one
 * number) replaced by a single "0", punctuation and symbols turned into spaces, and whitespace collapsed
 * to single spaces with none at either end. The result is a sequence of words separated by one space,
 * or the empty string when the text has no letters or digits.
 *
 * <p>Plain Java, no state: safe to share between threads.
 */
public final class TextNormalizer {
    private TextNormalizer() {
    }

    public static String normalize(String text) {
        if (text == null || text.isEmpty()) {
            return "";
        }
        // NFD splits accented letters into base letter + combining mark, so the mark can be dropped.
        String decomposed = Normalizer.normalize(text, Normalizer.Form.NFD);
        StringBuilder out = new StringBuilder(decomposed.length());
        boolean pendingSpace = false;
        boolean inNumber = false;
        int n = decomposed.length();
        for (int i = 0; i < n; ) {
            int cp = decomposed.codePointAt(i);
            i += Character.charCount(cp);
            int type = Character.getType(cp);
            if (type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK
                    || type == Character.COMBINING_SPACING_MARK || type == Character.FORMAT) {
                // Diacritics, and zero-width format characters (soft hyphen, ZWJ) that would split words.
                continue;
            }
            if (Character.isDigit(cp)) {
                if (!inNumber) {
                    if (pendingSpace && out.length() > 0) {
                        out.append(' ');
                    }
                    pendingSpace = false;
                    out.append('0');
                    inNumber = true;
                }
                continue;
            }
            if (inNumber && (cp == '.' || cp == ',') && i < n && Character.isDigit(decomposed.codePointAt(i))) {
                continue; // decimal or thousands separator inside a number
            }
            inNumber = false;
            if (Character.isLetter(cp)) {
                if (pendingSpace && out.length() > 0) {
                    out.append(' ');
                }
                pendingSpace = false;
                out.appendCodePoint(Character.toLowerCase(cp));
            } else {
                // Whitespace, punctuation, symbols, controls: all separate words.
                pendingSpace = true;
            }
        }
        return out.toString();
    }
}
