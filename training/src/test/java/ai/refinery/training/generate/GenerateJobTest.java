package ai.refinery.training.generate;

import ai.refinery.training.SparkTestSession;
import ai.refinery.training.decode.SamplingSettings;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class GenerateJobTest {
    @Test
    void completesEveryPromptOrRejectsItWithAReasonWhateverThePartitioning() {
        SparkSession spark = SparkTestSession.get();
        ComputationGraph g = TinyModel.graph(3);
        byte[] zip = ModelBundle.modelBytes(g);
        String tok;
        try {
            tok = TinyModel.tokenizer().toJson();
        } catch (java.io.IOException e) {
            throw new RuntimeException(e);
        }
        StructType schema = new StructType().add("id", DataTypes.StringType).add("prompt", DataTypes.StringType);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            rows.add(RowFactory.create("p" + i, "prompt number " + i));
        }
        rows.add(RowFactory.create("null", null));
        rows.add(RowFactory.create("long", "x".repeat(TinyModel.CONTEXT + 1)));
        SamplingSettings s = new SamplingSettings(4, 1.0, 20, 0.9, 11, List.of());

        Map<String, String> first = null;
        // Partitions and prompts decoded together: {1, 4} and {3, 1} must give the same rows.
        for (int[] layout : new int[][] {{1, 4}, {3, 1}}) {
            Dataset<Row> in = spark.createDataFrame(rows, schema).repartition(layout[0]);
            GenerateJob.Result r = GenerateJob.run(spark, in, "prompt", zip, tok, "tiny", s, layout[1]);
            try {
                Map<String, Long> stats = r.stats();
                assertEquals(9L, stats.get("prompts_in"));
                assertEquals(7L, stats.get("completions_out"));
                assertEquals(1L, stats.get("rejected.null_prompt"));
                assertEquals(1L, stats.get("rejected.prompt_too_long"));
                Map<String, String> completions = new java.util.TreeMap<>();
                for (Row row : r.data().collectAsList()) {
                    completions.put(row.getAs("id"), row.getAs("completion"));
                    assertEquals("tiny", row.getAs("model_id"));
                    assertEquals(s.toJson(), row.getAs("settings"));
                }
                assertEquals(7, completions.size());
                for (Row row : r.rejected().collectAsList()) {
                    assertEquals("generate", row.getAs("stage"));
                }
                if (first == null) {
                    first = completions;
                } else {
                    assertEquals(first, completions);
                }
            } finally {
                r.release();
            }
        }
        // Each completion is what a generator outside Spark gives for its prompt and seed.
        Generator gen = new Generator(g, TinyModel.tokenizer());
        assertEquals(gen.complete("prompt number 4", s).text(), first.get("p4"));
    }
}
