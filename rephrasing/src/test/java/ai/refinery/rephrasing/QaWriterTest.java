package ai.refinery.rephrasing;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QaWriterTest {
    private final QaWriter writer = QaWriter.standard();
    private final PersonGenerator people = new PersonGenerator(21, Pools.standard());

    @Test
    void onePhrasingPerAttributeAnswersWithTheValue() {
        Person p = BiographyWriterTest.person();
        List<QaWriter.QaPair> pairs = writer.pairs(p, 1, 1);
        assertEquals(6, pairs.size());
        for (int i = 0; i < 6; i++) {
            QaWriter.QaPair pair = pairs.get(i);
            assertEquals(Attribute.of(i), pair.attribute());
            assertEquals(p.value(pair.attribute()), pair.answer());
            assertTrue(pair.question().contains("Anya Briar Forger") && pair.question().endsWith("?"), pair.question());
        }
        assertEquals("October 2, 1996", pairs.get(0).answer());
        assertEquals("Menlo Park, CA", pairs.get(5).answer());
    }

    @Test
    void allPhrasingsOrADrawnNumberOfDistinctOnes() {
        Person p = people.person(3);
        List<QaWriter.QaPair> all = writer.pairs(p, 1, 0);
        assertEquals(30, all.size());
        assertEquals(30, all.stream().map(QaWriter.QaPair::templateId).distinct().count());
        List<QaWriter.QaPair> three = writer.pairs(p, 1, 3);
        assertEquals(18, three.size());
        assertEquals(18, three.stream().map(QaWriter.QaPair::question).distinct().count());
        for (QaWriter.QaPair pair : three) {
            assertEquals(p.value(pair.attribute()), pair.answer());
        }
    }

    @Test
    void phrasingDrawsVaryAcrossPeople() {
        Set<Integer> used = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            for (QaWriter.QaPair pair : writer.pairs(people.person(i), 1, 1)) {
                used.add(pair.templateId());
            }
        }
        assertEquals(30, used.size());
    }

    @Test
    void splitIsPerPersonAndNearTheFraction() {
        int n = 20_000;
        int test = 0;
        for (int i = 0; i < n; i++) {
            String id = Person.idOf(i);
            String split = QaWriter.split(id, 42, 0.5);
            assertEquals(split, QaWriter.split(id, 42, 0.5));
            if (split.equals(QaWriter.TEST)) {
                test++;
            }
        }
        // Binomial(20000, 0.5): sd ~71; allow 5 sd.
        assertTrue(Math.abs(test - n / 2) < 355, "test share " + test);
        int tenth = 0;
        for (int i = 0; i < n; i++) {
            if (QaWriter.split(Person.idOf(i), 42, 0.1).equals(QaWriter.TEST)) {
                tenth++;
            }
        }
        assertTrue(Math.abs(tenth - 2000) < 215, "test share at 0.1: " + tenth);
        assertEquals(QaWriter.TRAIN, QaWriter.split("person-000000001", 42, 0.0));
        assertEquals(QaWriter.TEST, QaWriter.split("person-000000001", 42, 1.0));
    }
}
