package ai.refinery.rephrasing;

import java.util.Locale;

/** Grammatical gender of a person, which picks the pronouns of the biography. */
public enum Gender {
    FEMALE("she", "her", "her"), MALE("he", "his", "him");

    private final String subject;
    private final String possessive;
    private final String object;

    Gender(String subject, String possessive, String object) {
        this.subject = subject;
        this.possessive = possessive;
        this.object = object;
    }

    /** "female" or "male", as stored in the people table. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    public String subject() {
        return subject;
    }

    public String possessive() {
        return possessive;
    }

    public String object() {
        return object;
    }

    /** The gender for a stored key, or null if the key is not one. */
    public static Gender fromKey(String key) {
        if (key == null) {
            return null;
        }
        return switch (key) {
            case "female" -> FEMALE;
            case "male" -> MALE;
            default -> null;
        };
    }
}
