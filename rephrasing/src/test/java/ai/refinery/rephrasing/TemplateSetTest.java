package ai.refinery.rephrasing;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TemplateSetTest {

    @Test
    void everyAttributeHasAtLeast45DistinctSentenceTemplates() {
        TemplateSet set = TemplateSet.sentences();
        for (Attribute a : Attribute.values()) {
            List<Template> list = set.of(a);
            assertTrue(list.size() >= 45, a + " has " + list.size());
            Set<String> texts = new HashSet<>();
            for (int i = 0; i < list.size(); i++) {
                Template t = list.get(i);
                assertTrue(texts.add(t.text()), "duplicate template " + t.text());
                assertEquals(a.ordinal() * 100 + i, t.id());
                assertEquals(t, set.byId(t.id()));
                // Loading already validated it; check the rules again from the outside.
                assertEquals(null, TemplateSet.sentenceProblem(t));
            }
        }
        assertTrue(set.size() >= 270);
    }

    @Test
    void questionTemplatesHaveFivePerAttribute() {
        TemplateSet set = TemplateSet.questions();
        for (Attribute a : Attribute.values()) {
            assertEquals(5, set.of(a).size(), a.key());
        }
        assertEquals(5, QaWriter.standard().maxPhrasings());
    }

    @Test
    void badSentenceTemplatesAreRefusedWithTheReason() {
        assertProblem("unknown placeholder {city}", "birth_city\t{subject} was born in {city}.");
        assertProblem("exactly one {subject}", "birth_city\t{subject} and {subject} were born in {birth_city}.");
        assertProblem("exactly one {subject}", "birth_city\tSomeone was born in {birth_city}.");
        assertProblem("another attribute {major}", "birth_city\t{subject} was born in {birth_city} to study {major}.");
        assertProblem("{birth_city} exactly once", "birth_city\t{subject} was born somewhere.");
        assertProblem("one sentence", "birth_city\t{subject} was born in {birth_city}. Really.");
        assertProblem("one sentence", "birth_city\t{subject} was born in {birth_city}");
        assertProblem("unclosed placeholder", "birth_city\t{subject was born in {birth_city}.");
        assertProblem("unknown attribute", "shoe_size\t{subject} wears {shoe_size}.");
    }

    @Test
    void badQuestionTemplatesAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TemplateSet.parse(List.of("major\tWhat did {subject} study?"), true));
        assertTrue(e.getMessage().contains("{name} exactly once"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> TemplateSet.parse(List.of("major\tDid {name} study {major}?"), true));
        assertTrue(e.getMessage().contains("only {name}"), e.getMessage());
    }

    @Test
    void rendersPronounsAndNamesWithCapitalisation() {
        Person p = BiographyWriterTest.person();
        Template t = Template.parse(100, Attribute.BIRTH_CITY, "{subject} spent {his} early years in {birth_city}.");
        assertEquals("She spent her early years in Princeton, NJ.", t.render(p, false));
        assertEquals("Anya Briar Forger spent her early years in Princeton, NJ.", t.render(p, true));
        Template pos = Template.parse(101, Attribute.BIRTH_CITY, "{subject_pos} hometown is {birth_city}.");
        assertEquals("Her hometown is Princeton, NJ.", pos.render(p, false));
        assertEquals("Anya Briar Forger's hometown is Princeton, NJ.", pos.render(p, true));
        Template mid = Template.parse(102, Attribute.BIRTH_CITY, "Born in {birth_city}, {subject} grew up there.");
        assertEquals("Born in Princeton, NJ, she grew up there.", mid.render(p, false));
    }

    private static void assertProblem(String expected, String line) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TemplateSet.parse(sixAttributes(line), false));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    /** The line under test plus one valid template for every attribute, so only the line can fail. */
    private static List<String> sixAttributes(String line) {
        return List.of(line,
                "birth_date\t{subject} was born on {birth_date}.",
                "birth_city\t{subject} was born in {birth_city}.",
                "university\t{subject} studied at {university}.",
                "major\t{subject} majored in {major}.",
                "employer\t{subject} works for {employer}.",
                "employer_city\t{subject} works in {employer_city}.");
    }
}
