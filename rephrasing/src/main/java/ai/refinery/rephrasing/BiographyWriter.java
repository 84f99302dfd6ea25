package ai.refinery.rephrasing;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes bioS biographies: six sentences, one per attribute, each from a template drawn for (seed, person,
 * attribute, variant). The first sentence always names the person in full so the pronouns that follow have
 * a referent; with fullname every sentence does.
 *
 * <p>Variant v of a person uses, for each attribute, entry v of a seeded shuffle of that attribute's templates,
 * so the M variants of multiM use M different templates per attribute (while M does not exceed the number of
 * templates; beyond it a fresh shuffle starts). Variant v is the same whatever M is: multi5 extends multi1.
 */
public final class BiographyWriter implements Serializable {
    private static final long PURPOSE_TEMPLATE = 0x54504C54L;
    private static final long PURPOSE_ORDER = 0x4F524452L;

    /** One biography and the template ids of its sentences, in the order the sentences appear. */
    public record Biography(int variant, String text, int[] templateIds) {
    }

    private final TemplateSet templates;

    public BiographyWriter(TemplateSet templates) {
        this.templates = templates;
    }

    public static BiographyWriter standard() {
        return new BiographyWriter(TemplateSet.sentences());
    }

    /** Variants 0..multi-1 of the person's biography. */
    public List<Biography> write(Person person, long seed, int multi, boolean permute, boolean fullname) {
        if (multi < 1) {
            throw new IllegalArgumentException("multi must be at least 1, got " + multi);
        }
        long key = Hashing.hash(person.id());
        int attributes = Attribute.count();
        // Per attribute, the template order of the current round of shuffles.
        int[][] orders = new int[attributes][];
        int[] rounds = new int[attributes];
        List<Biography> out = new ArrayList<>(multi);
        int[] chosen = new int[attributes];
        for (int v = 0; v < multi; v++) {
            for (int a = 0; a < attributes; a++) {
                List<Template> list = templates.of(Attribute.of(a));
                int n = list.size();
                int round = v / n;
                if (orders[a] == null || rounds[a] != round) {
                    orders[a] = Hashing.permutation(n, Hashing.hash(seed, key, PURPOSE_TEMPLATE, a, round));
                    rounds[a] = round;
                }
                chosen[a] = orders[a][v % n];
            }
            int[] sentenceOrder = permute ? Hashing.permutation(attributes, Hashing.hash(seed, key, PURPOSE_ORDER, v))
                    : identity(attributes);
            StringBuilder text = new StringBuilder(512);
            int[] ids = new int[attributes];
            for (int i = 0; i < attributes; i++) {
                int a = sentenceOrder[i];
                Template t = templates.of(Attribute.of(a)).get(chosen[a]);
                ids[i] = t.id();
                if (i > 0) {
                    text.append(' ');
                }
                t.render(person, fullname || i == 0, text);
            }
            out.add(new Biography(v, text.toString(), ids));
        }
        return out;
    }

    private static int[] identity(int n) {
        int[] values = new int[n];
        for (int i = 0; i < n; i++) {
            values[i] = i;
        }
        return values;
    }
}
