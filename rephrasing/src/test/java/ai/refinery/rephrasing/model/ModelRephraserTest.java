package ai.refinery.rephrasing.model;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelRephraserTest {
    private static SparkSession spark() {
        return SparkSession.builder().master("local[2]").appName("model-rephraser-test")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2").getOrCreate();
    }

    @Test
    void oneRowPerDocumentAndStyleWithFailuresAndGuardDropsInRejected() throws Exception {
        // The server rewrites by reversing the words; it answers 500 for the broken document, never answers for
        // the stalled one, and echoes the copied one verbatim.
        try (TestServer srv = new TestServer((n, req) -> {
            List<String> prompts = TestServer.prompts(req);
            if (prompts.stream().anyMatch(p -> p.contains("broken"))) {
                return TestServer.error(500, "model crashed");
            }
            if (prompts.stream().anyMatch(p -> p.contains("stalled"))) {
                return null;
            }
            List<String> out = new ArrayList<>();
            for (String p : prompts) {
                String text = p.substring(p.indexOf(':') + 1).strip();
                if (text.contains("copied")) {
                    out.add(text);
                } else {
                    List<String> words = new ArrayList<>(List.of(text.split(" ")));
                    java.util.Collections.reverse(words);
                    out.add("  " + String.join(" ", words) + "\n");
                }
            }
            return TestServer.ok(out);
        })) {
            Map<String, String> templates = new LinkedHashMap<>();
            templates.put("plain", "Rewrite: {text}");
            templates.put("easy", "Simplify: {text}");
            ModelRephraseSettings s = Settings.of(srv.endpoint(), 1, 1, 2, 2, templates, Guards.basic(10, 1000, 5, 0.8));
            SparkSession spark = spark();
            StructType schema = new StructType().add("id", DataTypes.StringType).add("text", DataTypes.StringType)
                    .add("url", DataTypes.StringType);
            List<Row> docs = List.of(
                    RowFactory.create("d1", "alpha beta gamma delta epsilon zeta", "http://a"),
                    RowFactory.create("d2", "one two three four five six seven", null),
                    RowFactory.create("d3", "a broken document that fails", null),
                    RowFactory.create("d4", "a stalled document that hangs", null),
                    RowFactory.create("d5", "this text is copied word for word", null),
                    RowFactory.create("d6", "  ", null),
                    RowFactory.create(null, "text without an id", null),
                    RowFactory.create("d8", "tiny", null));
            Dataset<Row> in = spark.createDataFrame(docs, schema).repartition(3);
            ModelRephraser.Result r = ModelRephraser.run(spark, in, s);
            try {
                Map<String, Row> data = new TreeMap<>();
                for (Row row : r.data().collectAsList()) {
                    data.put(row.getAs("id"), row);
                }
                assertEquals(List.of("d1-easy", "d1-plain", "d2-easy", "d2-plain"), List.copyOf(data.keySet()));
                Row d1 = data.get("d1-plain");
                assertEquals("zeta epsilon delta gamma beta alpha", d1.getAs("text"));
                assertEquals("http://a", d1.getAs("url"));
                assertEquals("d1", d1.getAs("source_id"));
                assertEquals("model/plain", d1.getAs("rephraser"));
                assertEquals("plain", d1.getAs("style"));
                assertEquals(42L, (long) d1.getAs("seed"));
                assertEquals("m", d1.getAs("model_id"));
                assertEquals("stop", d1.getAs("finish_reason"));

                Map<String, String> rejected = new TreeMap<>();
                for (Row row : r.rejected().collectAsList()) {
                    String key = row.getAs("id") == null ? "input:" + row.getAs("source_id") : row.getAs("id");
                    rejected.put(key, row.getAs("stage") + "/" + row.getAs("reason"));
                    if ("generate".equals(row.getAs("stage"))) {
                        assertTrue(((String) row.getAs("detail")).contains("gave up after 2 attempts"), (String) row.getAs("detail"));
                    }
                }
                Map<String, String> expected = new TreeMap<>(Map.of(
                        "d3-easy", "generate/generation_failed", "d3-plain", "generate/generation_failed",
                        "d4-easy", "generate/generation_failed", "d4-plain", "generate/generation_failed",
                        "d5-easy", "guard/copies_source", "d5-plain", "guard/copies_source",
                        "d8-easy", "guard/too_short", "d8-plain", "guard/too_short",
                        "input:d6", "input/empty_text", "input:null", "input/missing_id"));
                assertEquals(expected, rejected);

                Map<String, Long> stats = r.stats();
                assertEquals(8L, stats.get("documents_in"));
                assertEquals(2L, stats.get("documents_rejected"));
                assertEquals(12L, stats.get("generations"));
                assertEquals(4L, stats.get("rows_out"));
                assertEquals(2L, stats.get("rows_out.plain"));
                assertEquals(10L, stats.get("rejected"));
                assertEquals(4L, stats.get("rejected.generate.generation_failed"));
                assertEquals(2L, stats.get("rejected.guard.copies_source"));
            } finally {
                r.release();
            }
        }
    }
}
