package ai.refinery.rephrasing;

import java.util.Locale;

/** The six bioS attributes, in the canonical sentence order of a biography. */
public enum Attribute {
    BIRTH_DATE, BIRTH_CITY, UNIVERSITY, MAJOR, EMPLOYER, EMPLOYER_CITY;

    private static final Attribute[] ALL = values();

    /** The column name and template key, e.g. "birth_city". */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The template placeholder of this attribute's value, e.g. "{birth_city}". */
    public String placeholder() {
        return "{" + key() + "}";
    }

    public static Attribute fromKey(String key) {
        for (Attribute a : ALL) {
            if (a.key().equals(key)) {
                return a;
            }
        }
        return null;
    }

    public static Attribute of(int ordinal) {
        return ALL[ordinal];
    }

    public static int count() {
        return ALL.length;
    }
}
