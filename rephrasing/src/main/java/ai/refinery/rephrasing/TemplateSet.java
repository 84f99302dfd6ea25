package ai.refinery.rephrasing;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Templates grouped by attribute, read from a resource of "attribute TAB template" lines. Biography sentence
 * templates and question templates share the format; {@link #sentences()} and {@link #questions()} load the
 * shipped sets and check every template against the rules of its kind, so a bad line fails at load, not as
 * garbled text.
 */
public final class TemplateSet implements Serializable {
    public static final String SENTENCES_RESOURCE = "templates.txt";
    public static final String QUESTIONS_RESOURCE = "questions.txt";

    private static volatile TemplateSet sentences;
    private static volatile TemplateSet questions;

    private final Map<Attribute, List<Template>> byAttribute;

    private TemplateSet(Map<Attribute, List<Template>> byAttribute) {
        this.byAttribute = byAttribute;
    }

    public static TemplateSet sentences() {
        TemplateSet t = sentences;
        if (t == null) {
            synchronized (TemplateSet.class) {
                if (sentences == null) {
                    sentences = parse(Pools.lines(TemplateSet.class.getClassLoader(), SENTENCES_RESOURCE), false);
                }
                t = sentences;
            }
        }
        return t;
    }

    public static TemplateSet questions() {
        TemplateSet t = questions;
        if (t == null) {
            synchronized (TemplateSet.class) {
                if (questions == null) {
                    questions = parse(Pools.lines(TemplateSet.class.getClassLoader(), QUESTIONS_RESOURCE), true);
                }
                t = questions;
            }
        }
        return t;
    }

    /**
     * Parses "attribute TAB template" lines (comments already removed) and validates each template.
     *
     * @param asQuestions true: question rules ({name} once, no values, ends in '?'); false: sentence rules
     */
    public static TemplateSet parse(List<String> lines, boolean asQuestions) {
        Map<Attribute, List<Template>> map = new EnumMap<>(Attribute.class);
        for (Attribute a : Attribute.values()) {
            map.put(a, new ArrayList<>());
        }
        for (String line : lines) {
            int tab = line.indexOf('\t');
            if (tab < 0) {
                throw new IllegalArgumentException("template line without a tab: " + line);
            }
            Attribute a = Attribute.fromKey(line.substring(0, tab).strip());
            if (a == null) {
                throw new IllegalArgumentException("unknown attribute in template line: " + line);
            }
            List<Template> list = map.get(a);
            int id = a.ordinal() * 100 + list.size();
            if (list.size() >= 100) {
                throw new IllegalArgumentException("more than 100 templates for " + a.key());
            }
            Template t = Template.parse(id, a, line.substring(tab + 1).strip());
            String problem = asQuestions ? questionProblem(t) : sentenceProblem(t);
            if (problem != null) {
                throw new IllegalArgumentException("template " + id + " (" + a.key() + "): " + problem + ": " + t.text());
            }
            list.add(t);
        }
        for (Attribute a : Attribute.values()) {
            if (map.get(a).isEmpty()) {
                throw new IllegalArgumentException("no templates for " + a.key());
            }
            map.put(a, List.copyOf(map.get(a)));
        }
        return new TemplateSet(map);
    }

    /** Why a biography sentence template is unusable, or null. */
    static String sentenceProblem(Template t) {
        int subjects = t.count(Template.Slot.SUBJECT) + t.count(Template.Slot.SUBJECT_POS);
        if (subjects != 1) {
            return "needs exactly one {subject} or {subject_pos}, has " + subjects;
        }
        if (t.count(Template.Slot.NAME) > 0) {
            return "{name} is for questions; use {subject}";
        }
        for (Attribute other : Attribute.values()) {
            int n = t.count(other);
            if (other == t.attribute() ? n != 1 : n != 0) {
                return other == t.attribute() ? "needs " + other.placeholder() + " exactly once"
                        : "mentions another attribute " + other.placeholder();
            }
        }
        String text = t.text();
        if (!text.endsWith(".") || text.indexOf('.') != text.length() - 1) {
            return "must be one sentence ending in its only period";
        }
        return null;
    }

    /** Why a question template is unusable, or null. */
    static String questionProblem(Template t) {
        if (t.count(Template.Slot.NAME) != 1) {
            return "needs {name} exactly once";
        }
        for (Object part : t.parts()) {
            if (!(part instanceof String) && part != Template.Slot.NAME) {
                return "only {name} is allowed in a question, found " + part;
            }
        }
        if (!t.text().endsWith("?")) {
            return "must end with '?'";
        }
        return null;
    }

    public List<Template> of(Attribute attribute) {
        return byAttribute.get(attribute);
    }

    public Template byId(int id) {
        Attribute a = Attribute.of(id / 100);
        return byAttribute.get(a).get(id % 100);
    }

    public int size() {
        int n = 0;
        for (List<Template> list : byAttribute.values()) {
            n += list.size();
        }
        return n;
    }
}
