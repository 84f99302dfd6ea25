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
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    @Test
    void chatRowsAreAnsweredAsTheNextAssistantTurnWithLogprobs() {
        SparkSession spark = SparkTestSession.get();
        ai.refinery.training.tokenizer.BpeTokenizer tok = ai.refinery.training.Conversations.tokenizer();
        ComputationGraph g = ai.refinery.training.model.GptModel.build(new ai.refinery.training.model.ModelSettings(
                tok.vocabSize(), 48, 16, 1, 2, 2, 0), ai.refinery.training.model.GptModel.Optimization.none(),
                org.nd4j.linalg.api.buffer.DataType.FLOAT, 8);
        String tokJson;
        try {
            tokJson = tok.toJson();
        } catch (java.io.IOException e) {
            throw new RuntimeException(e);
        }
        // JSON's field order (content before role) must not matter: the column is read by name.
        StructType message = new StructType().add("content", DataTypes.StringType).add("role", DataTypes.StringType);
        StructType schema = new StructType().add("id", DataTypes.StringType)
                .add("messages", DataTypes.createArrayType(message), true);
        List<List<ai.refinery.core.sft.Message>> conversations = new ArrayList<>();
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            List<ai.refinery.core.sft.Message> c = ai.refinery.training.Conversations.EXAMPLES.get(i);
            // The question without its reference answer.
            List<ai.refinery.core.sft.Message> ask = c.subList(0, c.size() - 1);
            conversations.add(ask);
            Row[] turns = ask.stream().map(m -> RowFactory.create(m.content(), m.role())).toArray(Row[]::new);
            rows.add(RowFactory.create("c" + i, turns));
        }
        rows.add(RowFactory.create("robot", new Row[] {RowFactory.create("Beep", "robot")}));
        rows.add(RowFactory.create("empty", new Row[0]));
        rows.add(RowFactory.create("null", null));
        SamplingSettings s = new SamplingSettings(6, 1.0, 0, 1.0, 3, List.of()).withLogprobs(2);
        GenerateJob.Result r = GenerateJob.run(spark, spark.createDataFrame(rows, schema).repartition(2), "prompt",
                true, ModelBundle.modelBytes(g), tokJson, "m", s, 3);
        try {
            Map<String, Long> stats = r.stats();
            assertEquals(4L, stats.get("completions_out"), stats.toString());
            assertEquals(2L, stats.get("rejected.invalid_conversation"), stats.toString());
            assertEquals(1L, stats.get("rejected.null_prompt"), stats.toString());
            assertEquals(List.of("id", "messages", "completion", "prompt_tokens", "completion_tokens", "finish_reason",
                    "token_ids", "token_logprobs", "top_logprobs", "model_id", "settings"), List.of(r.data().columns()));
            Generator gen = new Generator(g, tok);
            List<ai.refinery.training.decode.Completion> expected = gen.completeChats(conversations, s);
            for (Row row : r.data().collectAsList()) {
                int i = Integer.parseInt(row.<String>getAs("id").substring(1));
                ai.refinery.training.decode.Completion c = expected.get(i);
                assertEquals(c.text(), row.getAs("completion"));
                assertEquals(gen.chatTemplate().generationPrompt(conversations.get(i)).length,
                        (int) row.<Integer>getAs("prompt_tokens"));
                assertEquals(c.finishReason().wire(), row.getAs("finish_reason"));
                assertEquals(java.util.Arrays.stream(c.tokens()).boxed().toList(), row.getList(row.fieldIndex("token_ids")));
                List<Double> lp = row.getList(row.fieldIndex("token_logprobs"));
                List<scala.collection.Seq<Row>> top = row.getList(row.fieldIndex("top_logprobs"));
                assertEquals(c.completionTokens(), lp.size());
                for (int t = 0; t < lp.size(); t++) {
                    assertEquals(c.logprobs().get(t).chosen().logprob(), lp.get(t), 0);
                    assertEquals(2, top.get(t).size());
                    assertEquals(c.logprobs().get(t).top().get(0).id(), (int) top.get(t).apply(0).<Integer>getAs("id"));
                }
                // The messages come back in the contract's order (role, content).
                Row firstTurn = row.<Row>getList(row.fieldIndex("messages")).get(0);
                assertEquals(conversations.get(i).get(0).role(), firstTurn.getString(0));
                assertTrue(row.<String>getAs("settings").contains("\"stop_token_ids\":[5]"), row.<String>getAs("settings"));
            }
        } finally {
            r.release();
        }
    }
}
