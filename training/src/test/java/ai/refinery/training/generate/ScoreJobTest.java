package ai.refinery.training.generate;

import ai.refinery.core.sft.Message;
import ai.refinery.core.sft.SftRow;
import ai.refinery.core.sft.SftSettings.TrainOn;
import ai.refinery.training.Conversations;
import ai.refinery.training.SparkTestSession;
import ai.refinery.training.decode.TokenScorer;
import ai.refinery.training.model.GptModel;
import ai.refinery.training.model.ModelSettings;
import ai.refinery.training.tokenizer.BpeTokenizer;
import ai.refinery.training.tokenizer.ChatTemplate;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The score job on local Spark: the scorer's numbers per row, whatever the partitioning, and every row accounted. */
class ScoreJobTest {
    static final int CONTEXT = 56;
    static BpeTokenizer tok;
    static ComputationGraph graph;
    static byte[] zip;
    static String tokJson;

    @BeforeAll
    static void model() throws Exception {
        tok = Conversations.tokenizer();
        graph = GptModel.build(new ModelSettings(tok.vocabSize(), CONTEXT, 16, 1, 2, 2, 0),
                GptModel.Optimization.none(), DataType.FLOAT, 31);
        zip = ModelBundle.modelBytes(graph);
        tokJson = tok.toJson();
    }

    private static int[] ints(List<Integer> l) {
        return l.stream().mapToInt(Integer::intValue).toArray();
    }

    private static double[] doubles(List<Double> l) {
        return l.stream().mapToDouble(Double::doubleValue).toArray();
    }

    @Test
    void instructionRowsScoreTheirLastAssistantTurnUnderTheChatTemplate() {
        SparkSession spark = SparkTestSession.get();
        StructType schema = new StructType().add("id", DataTypes.StringType)
                .add("messages", DataTypes.createArrayType(SftRow.MESSAGE), true);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < Conversations.EXAMPLES.size(); i++) {
            rows.add(RowFactory.create("c" + i, new SftRow("c" + i, Conversations.EXAMPLES.get(i), "t", null, null).values()[1]));
        }
        rows.add(RowFactory.create("unknown", new Row[] {RowFactory.create("user", "Hi"), RowFactory.create("robot", "Beep")}));
        rows.add(RowFactory.create("unanswered", new Row[] {RowFactory.create("user", "Hi")}));
        rows.add(RowFactory.create("unordered", new Row[] {RowFactory.create("user", "Hi"),
                RowFactory.create("assistant", "Hello"), RowFactory.create("user", "Bye")}));
        rows.add(RowFactory.create("null", null));
        rows.add(RowFactory.create("long", new Row[] {RowFactory.create("user", "Hi"),
                RowFactory.create("assistant", "x y z ".repeat(CONTEXT))}));

        Map<String, Row> first = null;
        for (int[] layout : new int[][] {{1, 16}, {3, 1}}) {
            Dataset<Row> in = spark.createDataFrame(rows, schema).repartition(layout[0]);
            ScoreJob.Result r = ScoreJob.run(spark, in, "prompt", "response", zip, tokJson, "m", layout[1]);
            try {
                assertTrue(r.chat());
                Map<String, Object> stats = r.stats();
                assertEquals(11L, stats.get("rows_in"), stats.toString());
                assertEquals(6L, stats.get("rows_out"));
                assertEquals(1L, stats.get("rejected.unknown_role"), stats.toString());
                assertEquals(1L, stats.get("rejected.roles_out_of_order"), stats.toString());
                assertEquals(1L, stats.get("rejected.no_assistant_turn"), stats.toString());
                assertEquals(1L, stats.get("rejected.null_input"), stats.toString());
                assertEquals(1L, stats.get("rejected.too_long"), stats.toString());
                assertEquals(List.of("id", "messages", "prompt_tokens", "response_tokens", "token_ids", "tokens",
                        "token_logprobs", "token_ranks", "logprob_sum", "logprob_mean", "model_id"),
                        Arrays.asList(r.data().columns()));
                for (Row rej : r.rejected().collectAsList()) {
                    assertEquals("score", rej.getAs("stage"));
                }
                Map<String, Row> byId = new TreeMap<>();
                for (Row row : r.data().collectAsList()) {
                    byId.put(row.getAs("id"), row);
                }
                if (first == null) {
                    first = byId;
                } else {
                    assertEquals(first.keySet(), byId.keySet());
                    for (String id : first.keySet()) {
                        assertEquals(first.get(id).getList(6), byId.get(id).getList(6), id);
                    }
                }
            } finally {
                r.release();
            }
        }
        // Each row: the targets of the template's last turn, scored as the scorer scores them outside Spark.
        ChatTemplate template = new ChatTemplate(tok);
        TokenScorer scorer = new Generator(graph, tok).scorer();
        for (int i = 0; i < Conversations.EXAMPLES.size(); i++) {
            List<Message> c = Conversations.EXAMPLES.get(i);
            ChatTemplate.Rendered rendered = template.render(c, TrainOn.LAST_TURN);
            int firstTarget = 0;
            while (rendered.targets()[firstTarget] == 0) {
                firstTarget++;
            }
            int[] context = Arrays.copyOf(rendered.tokens(), firstTarget);
            int[] targets = Arrays.copyOfRange(rendered.tokens(), firstTarget, rendered.tokens().length);
            assertEquals(template.endId(), targets[targets.length - 1]);
            Row row = first.get("c" + i);
            assertArrayEquals(targets, ints(row.getList(row.fieldIndex("token_ids"))));
            assertEquals(context.length, (int) row.<Integer>getAs("prompt_tokens"));
            assertEquals(targets.length, (int) row.<Integer>getAs("response_tokens"));
            TokenScorer.Scores s = scorer.score(context, targets);
            assertArrayEquals(s.logprobs(), doubles(row.getList(row.fieldIndex("token_logprobs"))));
            assertArrayEquals(s.ranks(), ints(row.getList(row.fieldIndex("token_ranks"))));
            assertEquals(s.sum(), row.<Double>getAs("logprob_sum"), 1e-9);
            assertEquals(s.mean(), row.<Double>getAs("logprob_mean"), 1e-9);
            assertEquals("<|end|>", row.getList(row.fieldIndex("tokens")).get(targets.length - 1));
        }
    }

    @Test
    void promptResponseRowsScoreTheResponseAfterThePrompt() {
        SparkSession spark = SparkTestSession.get();
        StructType schema = new StructType().add("key", DataTypes.IntegerType).add("question", DataTypes.StringType)
                .add("answer", DataTypes.StringType);
        List<Row> rows = List.of(
                RowFactory.create(1, "The capital of France is", " Paris."),
                RowFactory.create(2, "", "Guten Morgen."),
                RowFactory.create(3, "A spider has", null),
                RowFactory.create(4, "Blue", ""),
                RowFactory.create(5, "x", "y".repeat(CONTEXT + 1)));
        ScoreJob.Result r = ScoreJob.run(spark, spark.createDataFrame(rows, schema), "question", "answer", zip, tokJson,
                "m", 4);
        try {
            assertEquals(List.of("prompt", "response", "prompt_tokens", "response_tokens", "token_ids", "tokens",
                    "token_logprobs", "token_ranks", "logprob_sum", "logprob_mean", "model_id"), Arrays.asList(r.data().columns()));
            Map<String, Object> stats = r.stats();
            assertEquals(2L, stats.get("rows_out"));
            assertEquals(1L, stats.get("rejected.null_input"));
            assertEquals(1L, stats.get("rejected.empty_response"));
            assertEquals(1L, stats.get("rejected.too_long"));
            TokenScorer scorer = new Generator(graph, tok).scorer();
            double total = 0;
            long tokens = 0;
            for (Row row : r.data().collectAsList()) {
                int[] prompt = tok.encode(row.getAs("prompt"));
                int[] response = tok.encode(row.getAs("response"));
                TokenScorer.Scores s = scorer.score(prompt, response);
                assertArrayEquals(response, ints(row.getList(row.fieldIndex("token_ids"))));
                assertEquals(prompt.length, (int) row.<Integer>getAs("prompt_tokens"));
                assertArrayEquals(s.logprobs(), doubles(row.getList(row.fieldIndex("token_logprobs"))));
                assertEquals(tok.decode(response), String.join("", row.<String>getList(row.fieldIndex("tokens"))));
                total += s.sum();
                tokens += response.length;
            }
            assertEquals(tokens, stats.get("tokens_scored"));
            assertEquals(total / tokens, (Double) stats.get("logprob_mean"), 1e-9);
            assertEquals(Math.exp(-total / tokens), (Double) stats.get("perplexity"), 1e-6);
            double share = (Double) stats.get("rank1_share");
            assertTrue(share >= 0 && share <= 1);
        } finally {
            r.release();
        }
    }
}
