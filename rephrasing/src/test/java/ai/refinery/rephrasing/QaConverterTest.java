package ai.refinery.rephrasing;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QaConverterTest {
    private static SparkSession spark;
    private static Dataset<Row> people;

    @BeforeAll
    static void start() {
        spark = SparkSessions.local(2);
        people = BiosJob.run(spark, 1000, 8, 2).people().cache();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @Test
    void sixAttributesTimesPhrasingsWithAnswersEqualToTheValues() {
        RephraseSettings settings = new RephraseSettings(4, 1, false, false, new RephraseSettings.Qa(0.5, 2, ""));
        List<Row> rows = QaConverter.run(spark, people, settings).data().collectAsList();
        assertEquals(1000 * 6 * 2, rows.size());
        Map<String, Person> byId = new HashMap<>();
        for (Row p : people.collectAsList()) {
            byId.put(p.getString(0), PeopleTable.fromRow(p));
        }
        Map<String, Integer> perPersonAttribute = new HashMap<>();
        for (Row r : rows) {
            Person p = byId.get(r.<String>getAs("person_id"));
            Attribute a = Attribute.fromKey(r.getAs("attribute"));
            List<Row> messages = r.getList(r.fieldIndex("messages"));
            assertEquals(2, messages.size());
            assertEquals("user", messages.get(0).getString(0));
            assertTrue(messages.get(0).getString(1).contains(p.fullName()));
            assertEquals("assistant", messages.get(1).getString(0));
            assertEquals(p.value(a), messages.get(1).getString(1));
            assertEquals("bios_qa", r.getAs("source"));
            assertEquals(QaConverter.REPHRASER, r.getAs("rephraser"));
            assertNull(r.getAs("model_id"));
            perPersonAttribute.merge(p.id() + "/" + a.key(), 1, Integer::sum);
        }
        assertEquals(6000, perPersonAttribute.size());
        assertTrue(perPersonAttribute.values().stream().allMatch(c -> c == 2));
    }

    @Test
    void splitIsPerPersonAndNearHalf() {
        RephraseSettings settings = new RephraseSettings(4, 1, false, false, new RephraseSettings.Qa(0.5, 1, "Be brief."));
        List<Row> rows = QaConverter.run(spark, people, settings).data().collectAsList();
        Map<String, String> splitOf = new HashMap<>();
        for (Row r : rows) {
            String previous = splitOf.put(r.getAs("person_id"), r.getAs("split"));
            assertTrue(previous == null || previous.equals(r.getAs("split")), "a person in both splits");
            List<Row> messages = r.getList(r.fieldIndex("messages"));
            assertEquals(3, messages.size());
            assertEquals("system", messages.get(0).getString(0));
            assertEquals("Be brief.", messages.get(0).getString(1));
        }
        long test = splitOf.values().stream().filter("test"::equals).count();
        // Binomial(1000, 0.5): sd ~16; allow 5 sd.
        assertTrue(Math.abs(test - 500) < 80, "test people " + test);
        assertEquals(1000, splitOf.size());
    }
}
