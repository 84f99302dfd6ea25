package ai.refinery.rephrasing;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a person into question/answer pairs, one or more phrasings per attribute, and assigns the person to
 * the train or test split. The split is per person (all of a person's questions share it), as in Physics of
 * Language Models 3.1 where fine-tuning uses half of the people and accuracy is measured on the other half.
 */
public final class QaWriter implements Serializable {
    public static final String TRAIN = "train";
    public static final String TEST = "test";
    private static final long PURPOSE_QUESTION = 0x51554553L;
    private static final long PURPOSE_SPLIT = 0x53504C54L;

    /** One question about one attribute; the answer is the value exactly as biographies state it. */
    public record QaPair(Attribute attribute, int templateId, String question, String answer) {
    }

    private final TemplateSet questions;

    public QaWriter(TemplateSet questions) {
        this.questions = questions;
    }

    public static QaWriter standard() {
        return new QaWriter(TemplateSet.questions());
    }

    /** The most phrasings available for the attribute with the fewest. */
    public int maxPhrasings() {
        int min = Integer.MAX_VALUE;
        for (Attribute a : Attribute.values()) {
            min = Math.min(min, questions.of(a).size());
        }
        return min;
    }

    /**
     * The pairs for a person, attributes in canonical order.
     *
     * @param perAttribute phrasings per attribute, drawn without replacement for (seed, person, attribute);
     *                     0 means every template
     */
    public List<QaPair> pairs(Person person, long seed, int perAttribute) {
        long key = Hashing.hash(person.id());
        List<QaPair> out = new ArrayList<>(Attribute.count() * Math.max(1, perAttribute));
        for (Attribute a : Attribute.values()) {
            List<Template> list = questions.of(a);
            int take = perAttribute == 0 ? list.size() : Math.min(perAttribute, list.size());
            int[] order = perAttribute == 0 ? null
                    : Hashing.permutation(list.size(), Hashing.hash(seed, key, PURPOSE_QUESTION, a.ordinal()));
            String answer = person.value(a);
            for (int i = 0; i < take; i++) {
                Template t = list.get(order == null ? i : order[i]);
                out.add(new QaPair(a, t.id(), t.render(person, true), answer));
            }
        }
        return out;
    }

    /** "test" for a share testFraction of people (by a hash of seed and person id), else "train". */
    public static String split(String personId, long seed, double testFraction) {
        double u = Hashing.unit(Hashing.hash(seed, Hashing.hash(personId), PURPOSE_SPLIT));
        return u < testFraction ? TEST : TRAIN;
    }
}
