package ai.refinery.dedup;

import java.util.Locale;

/** Which document of a duplicate cluster is kept. Both rules end in the id, so the choice is total and stable. */
public enum SurvivorRule {
    /** The smallest id (string order). */
    SMALLEST_ID,
    /** The longest text (in Unicode code points); ties go to the smallest id. */
    LONGEST_TEXT;

    public static SurvivorRule parse(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
