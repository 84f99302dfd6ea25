package ai.refinery.pipeline.sft;

import ai.refinery.core.sft.Message;
import ai.refinery.core.sft.SftFormat;
import ai.refinery.core.sft.SftRejectReasons;
import ai.refinery.core.sft.SftRow;
import ai.refinery.core.config.Settings;
import ai.refinery.core.spark.SparkSessions;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** JSONL files of several formats and contract Parquet through the Spark conversion: every record lands once. */
class SftRowsTest {
    static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = SparkSessions.create("test", Settings.load(null, List.of("spark.master=local[2]")));
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static final String ALPACA = """
            {"instruction": "Give three tips for staying healthy.", "input": "", "output": "1. Eat well. 2. Sleep. 3. Move."}
            {"instruction": "Translate to French.", "input": "Good morning", "output": "Bonjour"}

            {"instruction": "Say nothing.", "input": "", "output": ""}
            not json at all
            """;
    private static final String SHAREGPT = """
            {"id": "sg-1", "conversations": [{"from": "human", "value": "hi"}, {"from": "gpt", "value": "Hello!"}]}
            {"id": "sg-2", "conversations": [{"from": "gpt", "value": "I start"}, {"from": "human", "value": "no"}]}
            {"id": "sg-3", "conversations": [{"from": "human", "value": "q"}, {"from": "function_call", "value": "f()"}]}
            {"messages": [{"role": "user", "content": "only a question"}]}
            """;

    @Test
    void jsonLinesOfMixedFormatsAreKeptOrRejectedWithAReason(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("alpaca.jsonl"), ALPACA);
        Files.writeString(dir.resolve("sharegpt.jsonl"), SHAREGPT);
        List<SftRows.JsonlFile> files = List.of(new SftRows.JsonlFile("alpaca", dir.resolve("alpaca.jsonl").toUri().toString()),
                new SftRows.JsonlFile("sharegpt", dir.resolve("sharegpt.jsonl").toUri().toString()));
        Dataset<Row> records = SftRows.jsonLines(spark, files).cache();
        assertEquals(8, records.count(), "blank lines are not records");
        SftRows.Conversion c = SftRows.convert(records, SftFormat.AUTO);
        assertEquals(3, c.data().count());
        assertEquals(5, c.rejected().count());

        List<Row> data = c.data().collectAsList();
        assertEquals(List.of(SftRow.SCHEMA.fieldNames()), List.of(c.data().columns()));
        Set<String> ids = data.stream().map(r -> r.<String>getAs("id")).collect(Collectors.toSet());
        assertEquals(3, ids.size());
        assertTrue(ids.contains("sg-1"));
        SftRow translate = data.stream().map(SftRow::fromRow)
                .filter(r -> r.messages().get(1).content().equals("Bonjour")).findFirst().orElseThrow();
        assertEquals(List.of(Message.user("Translate to French.\n\nGood morning"), Message.assistant("Bonjour")),
                translate.messages());
        assertEquals("alpaca", translate.source(), "the input's name when the record names no source");

        List<Row> rejected = c.rejected().collectAsList();
        assertEquals(List.of(SftRows.REJECTED.fieldNames()), List.of(c.rejected().columns()));
        Map<String, String> reasonByRecord = new TreeMap<>();
        for (Row r : rejected) {
            assertEquals(SftRejectReasons.STAGE, r.getAs("stage"));
            reasonByRecord.put(r.getAs("input") + " " + r.getAs("record"), r.getAs("reason"));
            assertTrue(r.<String>getAs("file").endsWith(r.getAs("input") + ".jsonl"));
        }
        assertEquals(Map.of("alpaca line:4", "empty_assistant_turn", "alpaca line:5", "unreadable",
                "sharegpt line:2", "roles_out_of_order", "sharegpt line:3", "unknown_role",
                "sharegpt line:4", "no_assistant_turn"), reasonByRecord);
        Row notJson = rejected.stream().filter(r -> r.getAs("reason").equals("unreadable")).findFirst().orElseThrow();
        assertEquals("not json at all", notJson.getAs("json"));
        assertTrue(notJson.isNullAt(notJson.fieldIndex("format")));
        assertEquals("alpaca", rejected.stream().filter(r -> r.getAs("reason").equals("empty_assistant_turn"))
                .findFirst().orElseThrow().getAs("format"));
    }

    @Test
    void idsDoNotDependOnPartitioning(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("alpaca.jsonl"), ALPACA);
        Dataset<Row> records = SftRows.jsonLines(spark, List.of(new SftRows.JsonlFile("alpaca",
                dir.resolve("alpaca.jsonl").toUri().toString())));
        Set<String> one = ids(SftRows.convert(records.repartition(1), SftFormat.AUTO));
        Set<String> three = ids(SftRows.convert(records.repartition(3), SftFormat.AUTO));
        assertEquals(one, three);
        assertEquals(4, one.size());
    }

    private static Set<String> ids(SftRows.Conversion c) {
        Set<String> ids = new HashSet<>();
        c.data().select("id").collectAsList().forEach(r -> ids.add(r.getString(0)));
        c.rejected().select("id").collectAsList().forEach(r -> ids.add(r.getString(0)));
        return ids;
    }

    @Test
    void contractParquetPassesThroughWithItsIdsAndIsChecked(@TempDir Path dir) {
        Row good = RowFactory.create("person-1-qa-0", new Row[] {RowFactory.create("user", "When was Ann born?"),
                RowFactory.create("assistant", "2 May 1990")}, "bios_qa", "test", null);
        Row bad = RowFactory.create("person-2-qa-0", new Row[] {RowFactory.create("user", "Where?"),
                RowFactory.create("assistant", " ")}, "bios_qa", "train", null);
        String path = dir.resolve("qa").toString();
        spark.createDataFrame(List.of(good, bad), SftRow.SCHEMA).write().parquet(path);
        SftRows.Conversion c = SftRows.convert(SftRows.parquetRecords(spark.read().parquet(path), "qa"), SftFormat.AUTO);
        List<Row> data = c.data().collectAsList();
        assertEquals(1, data.size());
        SftRow row = SftRow.fromRow(data.get(0));
        assertEquals(new SftRow("person-1-qa-0", List.of(Message.user("When was Ann born?"),
                Message.assistant("2 May 1990")), "bios_qa", "test", null), row);
        Row rejected = c.rejected().where(col("id").equalTo("person-2-qa-0")).first();
        assertEquals(SftRejectReasons.EMPTY_ASSISTANT_TURN, rejected.getAs("reason"));
        assertTrue(rejected.<String>getAs("source").equals("bios_qa"));
    }

    @Test
    void aJsonArrayFileIsOneRecordPerElement(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("alpaca_data.json"), """
                [
                  {"instruction": "Name a fruit.", "input": "", "output": "Apple"},
                  {"instruction": "Name a colour.",
                   "input": "", "output": "Red"},
                  {"instruction": "Say nothing.", "input": "", "output": ""}
                ]
                """);
        Files.writeString(dir.resolve("broken.json"), "[{\"prompt\": \"a\", \"completion\": \"b\"}, {\"prompt\": ");
        Dataset<Row> records = SftRows.jsonLines(spark, List.of(
                new SftRows.JsonlFile("alpaca", dir.resolve("alpaca_data.json").toUri().toString()),
                new SftRows.JsonlFile("broken", dir.resolve("broken.json").toUri().toString())));
        SftRows.Conversion c = SftRows.convert(records, SftFormat.AUTO);
        assertEquals(Set.of("Apple", "Red", "b"), c.data().collectAsList().stream()
                .map(r -> SftRow.fromRow(r).messages().get(1).content()).collect(Collectors.toSet()));
        Map<String, String> reasons = new TreeMap<>();
        c.rejected().collectAsList().forEach(r -> reasons.put(r.getAs("input") + " " + r.getAs("record"), r.getAs("reason")));
        assertEquals(Map.of("alpaca item:2", "empty_assistant_turn", "broken item:1", "unreadable"), reasons);
    }

    @Test
    void aDamagedFileKeepsWhatWasReadAndCountsTheDamage(@TempDir Path dir) throws Exception {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (var gz = new java.util.zip.GZIPOutputStream(bytes)) {
            gz.write(ALPACA.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        byte[] whole = bytes.toByteArray();
        Files.write(dir.resolve("cut.jsonl.gz"), java.util.Arrays.copyOf(whole, whole.length - 12));
        Dataset<Row> records = SftRows.jsonLines(spark, List.of(new SftRows.JsonlFile("cut",
                dir.resolve("cut.jsonl.gz").toUri().toString())));
        List<Row> rows = records.collectAsList();
        Row last = rows.get(rows.size() - 1);
        assertEquals("read-error", last.getAs("record"));
        SftRows.Conversion c = SftRows.convert(records, SftFormat.AUTO);
        assertEquals(1, c.rejected().where(col("record").equalTo("read-error").and(col("reason").equalTo("unreadable"))).count());
    }
}
