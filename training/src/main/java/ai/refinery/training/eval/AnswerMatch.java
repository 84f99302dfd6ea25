package ai.refinery.training.eval;

import java.text.Normalizer;
import java.util.Locale;
import java.util.Set;

/**
 * Normalised exact match of an answer against a reference, in the manner of SQuAD's evaluation: both texts are
 * put in Unicode NFKC form and lower-cased, every punctuation and symbol character becomes a space, the
 * English articles "a", "an" and "the" are dropped as words, and runs of white space become one space (trimmed).
 * The answer is right when the two normalised texts are equal and not empty. So "The University of Oslo." matches
 * "university of oslo" and "October 2, 1996" matches "october 2 1996", but "Oslo" does not match "Oslo, Norway".
 */
public final class AnswerMatch {
    private static final Set<String> ARTICLES = Set.of("a", "an", "the");

    private AnswerMatch() {
    }

    public static String normalise(String text) {
        if (text == null) {
            return "";
        }
        String s = Normalizer.normalize(text, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
        StringBuilder spaced = new StringBuilder(s.length());
        s.codePoints().forEach(c -> spaced.appendCodePoint(isPunctuationOrSymbol(c) ? ' ' : c));
        StringBuilder out = new StringBuilder(spaced.length());
        for (String word : spaced.toString().trim().split("\\s+")) {
            if (!word.isEmpty() && !ARTICLES.contains(word)) {
                out.append(out.length() == 0 ? "" : " ").append(word);
            }
        }
        return out.toString();
    }

    public static boolean matches(String answer, String reference) {
        String r = normalise(reference);
        return !r.isEmpty() && r.equals(normalise(answer));
    }

    private static boolean isPunctuationOrSymbol(int c) {
        return switch (Character.getType(c)) {
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                 Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                 Character.OTHER_PUNCTUATION, Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL,
                 Character.MODIFIER_SYMBOL, Character.OTHER_SYMBOL -> true;
            default -> false;
        };
    }
}
