package ai.refinery.rephrasing;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BiosJobTest {
    private static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = SparkSessions.local(2);
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @Test
    void sameRowsForOneOrFourPartitions() {
        BiosResult one = BiosJob.run(spark, 400, 17, 1);
        BiosResult four = BiosJob.run(spark, 400, 17, 4);
        List<Row> peopleOne = one.people().orderBy("id").collectAsList();
        assertEquals(peopleOne, four.people().orderBy("id").collectAsList());
        // Biographies come globally ordered: the same sequence, not just the same set.
        List<Row> biosOne = one.biographies().collectAsList();
        assertEquals(biosOne, four.biographies().collectAsList());
        assertEquals(400, biosOne.size());
        assertNotEquals(peopleOne, BiosJob.run(spark, 400, 18, 4).people().orderBy("id").collectAsList());
    }

    @Test
    void peopleAndBiographiesAgree() {
        BiosResult result = BiosJob.run(spark, 300, 5, 3);
        List<Row> people = result.people().orderBy("id").collectAsList();
        assertEquals("person-000000000", people.get(0).getString(0));
        assertEquals("person-000000299", people.get(299).getString(0));
        Set<String> names = new HashSet<>();
        for (Row r : people) {
            names.add(r.getString(1));
        }
        assertEquals(300, names.size());

        PersonGenerator generator = new PersonGenerator(5, Pools.standard());
        for (Row bio : result.biographies().collectAsList()) {
            String personId = bio.getAs("person_id");
            Person p = generator.person(Long.parseLong(personId.substring("person-".length())));
            assertEquals(p, PeopleTable.fromRow(people.get((int) Long.parseLong(personId.substring(7)))));
            assertEquals(personId + "-bio-0", bio.getAs("id"));
            assertEquals("bios", bio.getAs("source"));
            assertEquals(BiosJob.BASE_REPHRASER, bio.getAs("rephraser"));
            assertEquals(5L, (long) bio.getAs("seed"));
            assertNull(bio.getAs("model_id"));
            assertNull(bio.getAs("url"));
            String text = bio.getAs("text");
            String[] sentences = BiographyWriterTest.sentences(text);
            assertEquals(6, sentences.length);
            List<Integer> ids = bio.getList(bio.fieldIndex("template_ids"));
            for (int k = 0; k < 6; k++) {
                Attribute a = Attribute.of(k);
                assertEquals(a.ordinal(), ids.get(k) / 100);
                assertTrue(sentences[k].contains(p.value(a)), sentences[k]);
            }
        }
        Map<String, Long> stats = result.stats();
        assertEquals(300L, stats.get("people"));
        assertEquals(300L, stats.get("biographies"));
    }
}
