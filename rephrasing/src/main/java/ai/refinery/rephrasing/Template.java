package ai.refinery.rephrasing;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * One sentence or question template, pre-split into literal text and placeholders so rendering is a single
 * pass of appends.
 *
 * @param id        100 x attribute number + position within the attribute's block of the resource file
 * @param attribute the attribute the template states or asks about
 * @param text      the raw template
 */
public record Template(int id, Attribute attribute, String text, List<Object> parts) implements Serializable {

    /** Placeholders that are not attribute values. */
    public enum Slot {
        /** The full name, or the subject pronoun (He/She, he/she). */
        SUBJECT("{subject}"),
        /** The full name + 's, or the possessive pronoun (His/Her). */
        SUBJECT_POS("{subject_pos}"),
        /** Always a pronoun: he/she. */
        HE("{he}"),
        /** Always a pronoun: his/her. */
        HIS("{his}"),
        /** Always a pronoun: him/her. */
        HIM("{him}"),
        /** The full name (question templates). */
        NAME("{name}");

        final String token;

        Slot(String token) {
            this.token = token;
        }
    }

    /**
     * Parses a template; throws IllegalArgumentException naming the problem if it uses an unknown placeholder.
     * Attribute-value placeholders become {@link Attribute} parts, the others {@link Slot} parts.
     */
    public static Template parse(int id, Attribute attribute, String text) {
        List<Object> parts = new ArrayList<>();
        int pos = 0;
        while (pos < text.length()) {
            int open = text.indexOf('{', pos);
            if (open < 0) {
                parts.add(text.substring(pos));
                break;
            }
            int close = text.indexOf('}', open);
            int nextOpen = text.indexOf('{', open + 1);
            if (close < 0 || (nextOpen >= 0 && nextOpen < close)) {
                throw new IllegalArgumentException("unclosed placeholder in template " + id + ": " + text);
            }
            if (open > pos) {
                parts.add(text.substring(pos, open));
            }
            String token = text.substring(open, close + 1);
            parts.add(placeholder(token, id, text));
            pos = close + 1;
        }
        if (parts.stream().anyMatch(p -> p instanceof String s && s.indexOf('}') >= 0)) {
            throw new IllegalArgumentException("stray '}' in template " + id + ": " + text);
        }
        return new Template(id, attribute, text, List.copyOf(parts));
    }

    private static Object placeholder(String token, int id, String text) {
        for (Slot slot : Slot.values()) {
            if (slot.token.equals(token)) {
                return slot;
            }
        }
        Attribute a = Attribute.fromKey(token.substring(1, token.length() - 1));
        if (a != null) {
            return a;
        }
        throw new IllegalArgumentException("unknown placeholder " + token + " in template " + id + ": " + text);
    }

    /** How many times the template uses this placeholder part (a {@link Slot} or an {@link Attribute}). */
    public int count(Object placeholder) {
        int n = 0;
        for (Object p : parts) {
            if (p == placeholder) {
                n++;
            }
        }
        return n;
    }

    /**
     * Writes the sentence for a person into out.
     *
     * @param useName true: {subject} is the full name; false: a pronoun (capitalised at the start)
     */
    public void render(Person person, boolean useName, StringBuilder out) {
        int start = out.length();
        Gender g = person.gender();
        for (Object part : parts) {
            if (part instanceof String s) {
                out.append(s);
            } else if (part instanceof Attribute a) {
                out.append(person.value(a));
            } else {
                boolean atStart = out.length() == start;
                switch ((Slot) part) {
                    case SUBJECT -> appendWord(out, useName ? person.fullName() : g.subject(), atStart && !useName);
                    case SUBJECT_POS -> {
                        if (useName) {
                            out.append(person.fullName()).append("'s");
                        } else {
                            appendWord(out, g.possessive(), atStart);
                        }
                    }
                    case HE -> appendWord(out, g.subject(), atStart);
                    case HIS -> appendWord(out, g.possessive(), atStart);
                    case HIM -> appendWord(out, g.object(), atStart);
                    case NAME -> out.append(person.fullName());
                }
            }
        }
    }

    public String render(Person person, boolean useName) {
        StringBuilder sb = new StringBuilder(96);
        render(person, useName, sb);
        return sb.toString();
    }

    private static void appendWord(StringBuilder out, String word, boolean capitalise) {
        if (capitalise) {
            out.append(Character.toUpperCase(word.charAt(0))).append(word, 1, word.length());
        } else {
            out.append(word);
        }
    }
}
