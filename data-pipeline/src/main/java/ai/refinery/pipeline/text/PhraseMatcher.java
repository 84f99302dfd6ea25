package ai.refinery.pipeline.text;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * Finds any of a few phrases in a text region, ignoring case, in one pass over the region (instead of one
 * pass per phrase): each position is checked only against the phrases that begin with its character.
 */
public final class PhraseMatcher implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String[] phrases;
    /** For each ASCII first character, the indexes of the phrases starting with it (null: none). */
    private final int[][] byAsciiFirst = new int[128][];
    /** Indexes of phrases whose first character is not ASCII. */
    private final int[] nonAsciiFirst;
    /**
     * ASCII pairs (first * 128 + second) that begin some phrase, and first characters that cannot be
     * screened by pair (one-character phrases, non-ASCII second character): most positions of a line are
     * rejected by one table lookup.
     */
    private final boolean[] asciiPairs = new boolean[128 * 128];
    private final boolean[] unscreened = new boolean[128];

    private PhraseMatcher(String[] phrases) {
        this.phrases = phrases;
        List<Integer> other = new ArrayList<>();
        for (int p = 0; p < phrases.length; p++) {
            char first = phrases[p].charAt(0);
            if (first < 128) {
                if (phrases[p].length() > 1 && phrases[p].charAt(1) < 128) {
                    asciiPairs[first * 128 + phrases[p].charAt(1)] = true;
                } else {
                    unscreened[first] = true;
                }
                int[] old = byAsciiFirst[first];
                int[] grown = old == null ? new int[1] : java.util.Arrays.copyOf(old, old.length + 1);
                grown[grown.length - 1] = p;
                byAsciiFirst[first] = grown;
            } else {
                other.add(p);
            }
        }
        nonAsciiFirst = other.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Empty phrases are ignored; matching is case-insensitive. */
    public static PhraseMatcher of(Collection<String> phrases) {
        List<String> lower = new ArrayList<>();
        for (String phrase : phrases) {
            StringBuilder sb = new StringBuilder(phrase.length());
            for (int i = 0; i < phrase.length(); i++) {
                sb.append(Chars.toLowerCase(phrase.charAt(i)));
            }
            if (sb.length() > 0) {
                lower.add(sb.toString());
            }
        }
        return new PhraseMatcher(lower.toArray(new String[0]));
    }

    public boolean isEmpty() {
        return phrases.length == 0;
    }

    /** The lower-cased phrase found first (leftmost) in text[start, end), or null. */
    public String find(CharSequence text, int start, int end) {
        if (phrases.length == 0) {
            return null;
        }
        for (int i = start; i < end; i++) {
            char c = Chars.toLowerCase(text.charAt(i));
            int[] candidates = c < 128 ? byAsciiFirst[c] : nonAsciiFirst;
            if (candidates == null) {
                continue;
            }
            if (c < 128 && !unscreened[c]) {
                if (i + 1 >= end) {
                    continue;
                }
                char next = Chars.toLowerCase(text.charAt(i + 1));
                if (next >= 128 || !asciiPairs[c * 128 + next]) {
                    continue;
                }
            }
            for (int p : candidates) {
                if (matchesAt(text, i, end, phrases[p])) {
                    return phrases[p];
                }
            }
        }
        return null;
    }

    private static boolean matchesAt(CharSequence text, int at, int end, String phrase) {
        int n = phrase.length();
        if (end - at < n) {
            return false;
        }
        for (int k = 0; k < n; k++) {
            if (Chars.toLowerCase(text.charAt(at + k)) != phrase.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return "PhraseMatcher" + List.of(phrases).toString().toLowerCase(Locale.ROOT);
    }
}
