package ai.refinery.training.analysis;

import java.text.Normalizer;
import java.util.List;
import java.util.Locale;

/**
 * The known-knowledge categories of SliCK (Gekhman et al. 2024), from how often a model answers a question right
 * over several few-shot prompts: greedily always right (HighlyKnown), greedily sometimes right (MaybeKnown),
 * greedily never but by sampling sometimes right (WeaklyKnown), never right (Unknown).
 */
public final class Slick {
    public static final String HIGHLY_KNOWN = "HighlyKnown";
    public static final String MAYBE_KNOWN = "MaybeKnown";
    public static final String WEAKLY_KNOWN = "WeaklyKnown";
    public static final String UNKNOWN = "Unknown";
    public static final List<String> CATEGORIES = List.of(HIGHLY_KNOWN, MAYBE_KNOWN, WEAKLY_KNOWN, UNKNOWN);

    private Slick() {
    }

    /**
     * @param greedyRight  greedy answers that matched, of {@code greedyTotal} (one per prompt)
     * @param sampledRight sampled answers that matched (of any number)
     */
    public static String category(int greedyRight, int greedyTotal, int sampledRight) {
        if (greedyTotal < 1 || greedyRight < 0 || greedyRight > greedyTotal || sampledRight < 0) {
            throw new IllegalArgumentException("bad counts: " + greedyRight + " of " + greedyTotal + ", sampled "
                    + sampledRight);
        }
        if (greedyRight == greedyTotal) {
            return HIGHLY_KNOWN;
        }
        if (greedyRight > 0) {
            return MAYBE_KNOWN;
        }
        return sampledRight > 0 ? WEAKLY_KNOWN : UNKNOWN;
    }

    /**
     * An answer normalised for exact match (as SQuAD's evaluation does): Unicode NFKC, lower case, punctuation
     * removed, the articles a/an/the removed, whitespace collapsed.
     */
    public static String normalize(String answer) {
        String s = Normalizer.normalize(answer, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
        s = s.replaceAll("[\\p{P}\\p{S}]", " ");
        s = s.replaceAll("\\b(a|an|the)\\b", " ");
        return s.trim().replaceAll("\\s+", " ");
    }

    public static boolean matches(String answer, String reference) {
        return answer != null && reference != null && normalize(answer).equals(normalize(reference));
    }
}
