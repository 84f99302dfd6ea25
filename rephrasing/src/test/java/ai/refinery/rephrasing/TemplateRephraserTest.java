package ai.refinery.rephrasing;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TemplateRephraserTest {
    private static SparkSession spark;
    private static Dataset<Row> people;

    @BeforeAll
    static void start() {
        spark = SparkSessions.local(2);
        people = BiosJob.run(spark, 2000, 3, 2).people().cache();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @Test
    void multi5GivesFiveDistinctVariantsPerPersonWithProvenance() {
        RephraseResult result = TemplateRephraser.run(spark, people, RephraseSettings.of(9, 5, true, false));
        List<Row> rows = result.data().collectAsList();
        assertEquals(10_000, rows.size());
        Map<String, Set<String>> textsByPerson = new HashMap<>();
        Set<String> ids = new HashSet<>();
        for (Row r : rows) {
            textsByPerson.computeIfAbsent(r.getAs("person_id"), k -> new HashSet<>()).add(r.getAs("text"));
            assertTrue(ids.add(r.getAs("id")));
            assertEquals("template/multi5+permute", r.getAs("rephraser"));
            assertEquals(9L, (long) r.getAs("seed"));
            assertEquals(6, r.getList(r.fieldIndex("template_ids")).size());
            assertEquals("en", r.getAs("lang"));
        }
        assertEquals(2000, textsByPerson.size());
        for (Set<String> texts : textsByPerson.values()) {
            assertEquals(5, texts.size());
        }
        Map<String, Long> stats = result.stats();
        assertEquals(2000L, stats.get("people_in"));
        assertEquals(2000L, stats.get("people_used"));
        assertEquals(0L, stats.get("people_rejected"));
        assertEquals(10_000L, stats.get("rows_out"));
    }

    @Test
    void globalShuffleSeparatesAPersonsVariants() {
        int m = 5;
        List<Row> rows = TemplateRephraser.run(spark, people, RephraseSettings.of(9, m, false, false)).data()
                .select("person_id", GlobalOrder.SHUFFLE_KEY).collectAsList();
        int n = rows.size();
        List<String> order = new ArrayList<>(n);
        long previousKey = Long.MIN_VALUE;
        for (Row r : rows) {
            order.add(r.getString(0));
            assertTrue(r.getLong(1) >= previousKey, "rows come sorted by shuffle_key");
            previousKey = r.getLong(1);
        }
        // Adjacent pairs of one person: a random order has (n-1) * (m-1)/(n-1) = m-1 = 4 of them on average;
        // generation order (variants together) would have 2000 * 4 = 8000.
        int adjacent = 0;
        for (int i = 1; i < n; i++) {
            if (order.get(i).equals(order.get(i - 1))) {
                adjacent++;
            }
        }
        System.out.println("shuffle: adjacent same-person pairs " + adjacent + " of " + (n - 1) + " (random expectation "
                + (m - 1) + ", generation order " + 2000 * (m - 1) + ")");
        assertTrue(adjacent <= 15, "adjacent same-person pairs: " + adjacent + ", expected ~4");
        // Pairs of one person within a window of 50 rows: expected 2000 * C(5,2) * P(|i-j| <= 50) ~ 200 * (1 - 0.005).
        int window = 50;
        Map<String, List<Integer>> positions = new HashMap<>();
        for (int i = 0; i < n; i++) {
            positions.computeIfAbsent(order.get(i), k -> new ArrayList<>()).add(i);
        }
        int close = 0;
        for (List<Integer> pos : positions.values()) {
            for (int a = 0; a < pos.size(); a++) {
                for (int b = a + 1; b < pos.size(); b++) {
                    if (Math.abs(pos.get(a) - pos.get(b)) <= window) {
                        close++;
                    }
                }
            }
        }
        double expected = 2000 * 10 * (2.0 * window / n - (double) window * (window + 1) / ((double) n * n));
        System.out.println("shuffle: same-person pairs within " + window + " rows " + close + ", expectation " + expected);
        assertTrue(Math.abs(close - expected) < 5 * Math.sqrt(expected), "close pairs " + close + " vs " + expected);
    }

    @Test
    void sameOutputForAnyPartitioningOfTheInput() {
        RephraseSettings settings = RephraseSettings.of(9, 3, true, true);
        List<Row> a = TemplateRephraser.run(spark, people.repartition(1), settings).data().collectAsList();
        List<Row> b = TemplateRephraser.run(spark, people.repartition(5), settings).data().collectAsList();
        assertEquals(a, b);
        List<Row> written = GlobalOrder.forWrite(TemplateRephraser.run(spark, people.repartition(3), settings).data(), 4)
                .collectAsList();
        assertEquals(a, written);
    }

    @Test
    void fullnameOutputNamesThePersonEverywhere() {
        List<Row> rows = TemplateRephraser.run(spark, people.limit(200), RephraseSettings.of(2, 2, true, true)).data()
                .join(people.select("id", "full_name").withColumnRenamed("id", "person_id"), "person_id")
                .collectAsList();
        assertEquals(400, rows.size());
        for (Row r : rows) {
            String name = r.getAs("full_name");
            for (String s : BiographyWriterTest.sentences(r.getAs("text"))) {
                assertTrue(s.contains(name), s);
                assertFalse(s.matches("^(He|She|His|Her)\\b.*"), s);
            }
        }
    }

    @Test
    void badPeopleRowsAreRejectedWithAReason() {
        StructType schema = new StructType()
                .add("id", DataTypes.StringType).add("full_name", DataTypes.StringType)
                .add("first_name", DataTypes.StringType).add("middle_name", DataTypes.StringType)
                .add("last_name", DataTypes.StringType).add("gender", DataTypes.StringType)
                .add("birth_date", DataTypes.StringType).add("birth_city", DataTypes.StringType)
                .add("university", DataTypes.StringType).add("major", DataTypes.StringType)
                .add("employer", DataTypes.StringType).add("employer_city", DataTypes.StringType)
                .add("extra", DataTypes.IntegerType);
        List<Row> rows = List.of(
                RowFactory.create("p1", "A B C", "A", "B", "C", "female", "1990-01-02", "Oslo, Norway", "U", "Law", "E", "Rome, Italy", 1),
                RowFactory.create("p2", "D E F", "D", "E", "F", "other", "1990-01-02", "Oslo, Norway", "U", "Law", "E", "Rome, Italy", 2),
                RowFactory.create("p3", "G H I", "G", "H", "I", "male", "not a date", "Oslo, Norway", "U", "Law", "E", "Rome, Italy", 3),
                RowFactory.create("p4", "J K L", "J", "K", "L", "male", "1990-01-02", "  ", "U", "Law", "E", "Rome, Italy", 4),
                RowFactory.create("p5", "M N O", "M", "N", "O", "male", "1990-01-02", "Oslo, Norway", "U", null, "E", "Rome, Italy", 5));
        Dataset<Row> input = spark.createDataFrame(rows, schema);
        RephraseResult result = TemplateRephraser.run(spark, input, RephraseSettings.of(1, 2, false, false));
        List<Row> data = result.data().collectAsList();
        assertEquals(2, data.size());
        assertTrue(data.stream().allMatch(r -> r.getAs("person_id").equals("p1")));
        assertTrue(((String) data.get(0).getAs("text")).contains("January 2, 1990"));
        Map<String, String> reasons = new HashMap<>();
        for (Row r : result.rejected().collectAsList()) {
            reasons.put(r.getAs("id"), r.getAs("reason"));
            assertEquals("rephrase", r.getAs("stage"));
        }
        assertEquals(Map.of("p2", "bad_gender", "p3", "missing_birth_date", "p4", "missing_birth_city",
                "p5", "missing_major"), reasons);
        Map<String, Long> stats = result.stats();
        assertEquals(5L, stats.get("people_in"));
        assertEquals(4L, stats.get("people_rejected"));
        assertEquals(1L, stats.get("rejected.bad_gender"));
        assertEquals(2L, stats.get("rows_out"));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TemplateRephraser.run(spark, input.drop("major"), RephraseSettings.of(1, 1, false, false)));
        assertTrue(e.getMessage().contains("[major]"), e.getMessage());
    }
}
