package ai.refinery.rephrasing;

import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BiographyWriterTest {
    private static final Pattern SENTENCE_END = Pattern.compile("(?<=\\.) ");
    private static final Pattern PRONOUN_START = Pattern.compile("^(He|She|His|Her|Him)\\b");
    private final BiographyWriter writer = BiographyWriter.standard();
    private final PersonGenerator people = new PersonGenerator(11, Pools.standard());

    static Person person() {
        return new Person("person-000000001", "Anya", "Briar", "Forger", Gender.FEMALE, LocalDate.of(1996, 10, 2),
                "Princeton, NJ", "Massachusetts Institute of Technology", "Communications", "Meta Platforms",
                "Menlo Park, CA");
    }

    static String[] sentences(String text) {
        return SENTENCE_END.split(text);
    }

    @Test
    void biographyHasSixSentencesEachStatingItsAttribute() {
        for (int i = 0; i < 500; i++) {
            Person p = people.person(i);
            BiographyWriter.Biography b = writer.write(p, 5, 1, false, false).get(0);
            String[] s = sentences(b.text());
            assertEquals(6, s.length, b.text());
            for (int k = 0; k < 6; k++) {
                Attribute a = Attribute.of(k);
                assertEquals(a.ordinal(), b.templateIds()[k] / 100);
                assertTrue(s[k].contains(p.value(a)), s[k] + " lacks " + p.value(a));
                assertTrue(s[k].endsWith("."));
            }
            assertTrue(s[0].contains(p.fullName()), "first sentence names the person: " + s[0]);
            for (int k = 1; k < 6; k++) {
                assertFalse(s[k].contains(p.fullName()), "later sentences use pronouns: " + s[k]);
            }
        }
    }

    @Test
    void deterministicForASeedAndDifferentAcrossSeeds() {
        Person p = person();
        assertEquals(writer.write(p, 1, 3, true, false).get(2).text(), writer.write(p, 1, 3, true, false).get(2).text());
        int same = 0;
        for (int i = 0; i < 100; i++) {
            Person q = people.person(i);
            if (writer.write(q, 1, 1, false, false).get(0).text().equals(writer.write(q, 2, 1, false, false).get(0).text())) {
                same++;
            }
        }
        assertTrue(same <= 1, "seed must change the draws, identical for " + same);
    }

    @Test
    void multiGivesDistinctVariantsWithDifferentTemplatesPerAttribute() {
        for (int i = 0; i < 200; i++) {
            Person p = people.person(i);
            List<BiographyWriter.Biography> bios = writer.write(p, 9, 5, false, false);
            assertEquals(5, bios.size());
            Set<String> texts = new HashSet<>();
            Set<Integer> templates = new HashSet<>();
            for (int v = 0; v < 5; v++) {
                assertEquals(v, bios.get(v).variant());
                texts.add(bios.get(v).text());
                for (int id : bios.get(v).templateIds()) {
                    templates.add(id);
                }
            }
            assertEquals(5, texts.size());
            // Drawn without replacement per attribute: 5 variants x 6 attributes = 30 different templates.
            assertEquals(30, templates.size());
        }
    }

    @Test
    void variantsAreStableWhenMultiGrows() {
        Person p = person();
        List<BiographyWriter.Biography> five = writer.write(p, 4, 5, true, true);
        List<BiographyWriter.Biography> two = writer.write(p, 4, 2, true, true);
        assertEquals(five.get(0).text(), two.get(0).text());
        assertEquals(five.get(1).text(), two.get(1).text());
    }

    @Test
    void multiBeyondTheTemplateCountStillWorks() {
        List<BiographyWriter.Biography> many = writer.write(person(), 4, 120, false, false);
        assertEquals(120, many.size());
        assertTrue(many.stream().map(BiographyWriter.Biography::text).distinct().count() > 100);
    }

    @Test
    void permuteChangesTheOrderButKeepsTheSentences() {
        int reordered = 0;
        int n = 300;
        for (int i = 0; i < n; i++) {
            Person p = people.person(i);
            BiographyWriter.Biography plain = writer.write(p, 3, 1, false, false).get(0);
            BiographyWriter.Biography shuffled = writer.write(p, 3, 1, true, false).get(0);
            int[] sortedIds = shuffled.templateIds().clone();
            Arrays.sort(sortedIds);
            assertArrayEquals(plain.templateIds(), sortedIds, "same templates, other order");
            if (!Arrays.equals(plain.templateIds(), shuffled.templateIds())) {
                reordered++;
            }
            // Same sentences up to who is named: compare with the full name in every sentence.
            Set<String> a = new HashSet<>(List.of(sentences(writer.write(p, 3, 1, false, true).get(0).text())));
            Set<String> b = new HashSet<>(List.of(sentences(writer.write(p, 3, 1, true, true).get(0).text())));
            assertEquals(a, b);
            String first = sentences(shuffled.text())[0];
            assertTrue(first.contains(p.fullName()), "the first sentence of a permuted biography names the person");
        }
        // 719 of 720 orders differ from the canonical one.
        assertTrue(reordered >= n - 3, "reordered " + reordered + " of " + n);
    }

    @Test
    void fullnameNamesThePersonInEverySentence() {
        for (int i = 0; i < 300; i++) {
            Person p = people.person(i);
            for (BiographyWriter.Biography b : writer.write(p, 8, 3, true, true)) {
                String[] s = sentences(b.text());
                assertEquals(6, s.length);
                for (String sentence : s) {
                    assertFalse(PRONOUN_START.matcher(sentence).find(), sentence);
                    assertTrue(sentence.contains(p.fullName()), sentence);
                }
            }
            // Without fullname, sentences after the first refer to the person by pronoun instead.
            String[] s = sentences(writer.write(p, 8, 1, false, false).get(0).text());
            long pronouns = Arrays.stream(s).skip(1).filter(x -> !x.contains(p.fullName())).count();
            assertEquals(5, pronouns);
        }
    }

    @Test
    void paperExampleShape() {
        Person p = person();
        String text = writer.write(p, 0, 1, false, false).get(0).text();
        assertTrue(text.startsWith("Anya Briar Forger") || text.startsWith("Anya Briar Forger's")
                || text.contains("Anya Briar Forger"), text);
        assertTrue(text.contains("October 2, 1996") && text.contains("Menlo Park, CA"), text);
        assertNotEquals(text, writer.write(p, 1, 1, false, false).get(0).text());
    }
}
