package ai.refinery.dedup;

import java.util.Locale;

/** What a shingle is made of: consecutive words of the normalised text, or consecutive characters. */
public enum ShingleType {
    /** n consecutive words (FineWeb: 5). Suits languages written with spaces between words. */
    WORD,
    /** n consecutive characters of the normalised text, spaces included (NeMo Curator: 24). Suits any script. */
    CHAR;

    public static ShingleType parse(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
