package ai.refinery.jobs;

import ai.refinery.core.output.Json;
import ai.refinery.core.sft.Message;
import ai.refinery.training.decode.SamplingSettings;
import ai.refinery.training.decode.TokenScorer;
import ai.refinery.training.generate.Generator;
import ai.refinery.training.generate.ModelBundle;
import ai.refinery.training.model.GptModel;
import ai.refinery.training.model.ModelSettings;
import ai.refinery.training.tokenizer.BpeTokenizer;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** generate --chat and score through the command line, with JSON Lines and Parquet inputs read back by DuckDB. */
class ChatScoreCommandsTest {
    static final String LOCAL = "--set=spark.master=local[2]";
    static final int CONTEXT = 64;

    @TempDir
    static Path work;
    static Path modelDir;
    static ComputationGraph graph;
    static BpeTokenizer tok;

    @BeforeAll
    static void setUp() throws Exception {
        tok = BpeTokenizer.fromMerges(List.of());
        graph = GptModel.build(new ModelSettings(tok.vocabSize(), CONTEXT, 16, 1, 2, 2, 0),
                GptModel.Optimization.none(), DataType.FLOAT, 23);
        modelDir = work.resolve("tiny");
        ModelBundle.write(modelDir.toString(), graph, tok, new Configuration());
    }

    @Test
    void generateChatAnswersAUserMessageAndAFileOfConversations() throws Exception {
        Cli.Capture one = Cli.Capture.run("generate", "--model", modelDir.toString(), "--chat", "--prompt", "Hi there",
                "--set", "generate.temperature=0", "--set", "generate.max_tokens=8");
        assertEquals(0, one.code(), one.err());
        Generator g = new Generator(graph, tok);
        assertEquals(g.completeChats(List.of(List.of(Message.user("Hi there"))), SamplingSettings.greedy(8)).get(0).text()
                + System.lineSeparator(), one.out());

        Path chats = Files.createDirectories(work.resolve("chats")).resolve("chats.jsonl");
        Files.writeString(chats, String.join("\n",
                "{\"id\": 1, \"messages\": [{\"role\": \"user\", \"content\": \"Name a colour\"}]}",
                "{\"id\": 2, \"messages\": [{\"role\": \"system\", \"content\": \"Be brief.\"}, {\"role\": \"user\", \"content\": \"Hi\"}]}",
                "{\"id\": 3, \"messages\": [{\"role\": \"wizard\", \"content\": \"Hi\"}]}",
                "{\"id\": 4, \"messages\": [{\"role\": \"user\", \"content\": \"" + "y".repeat(CONTEXT) + "\"}]}",
                "not json at all") + "\n");
        Path out = work.resolve("answers");
        Cli.Capture r = Cli.Capture.run("generate", "--model", modelDir.toString(), "--chat", "--input", chats.toString(),
                "--output", out.toString(), LOCAL, "--set", "generate.max_tokens=6", "--set", "generate.logprobs=1");
        assertEquals(0, r.code(), r.out() + r.err());
        Cli.assertCounts(out, true);
        String data = "read_parquet('" + out.resolve("data") + "/*.parquet')";
        assertEquals(2, Cli.query("SELECT count(*) FROM " + data + " WHERE len(token_logprobs) = completion_tokens "
                + "AND len(top_logprobs) = completion_tokens AND len(token_ids) = completion_tokens "
                + "AND messages[1].role IN ('user', 'system') AND settings LIKE '%\"stop_token_ids\":[5]%'"));
        String rejected = "read_parquet('" + out.resolve("rejected") + "/*.parquet')";
        assertEquals(1, Cli.query("SELECT count(*) FROM " + rejected + " WHERE reason = 'invalid_conversation' AND id = '3'"));
        assertEquals(1, Cli.query("SELECT count(*) FROM " + rejected + " WHERE reason = 'prompt_too_long' AND id = '4'"));
        assertEquals(1, Cli.query("SELECT count(*) FROM " + rejected + " WHERE reason = 'null_prompt'"), "the unreadable line");
        // Row 1's answer is the generator's with the generate defaults and seed.
        SamplingSettings defaults = new SamplingSettings(6, 0.8, 0, 0.95, 42, List.of());
        String expected = g.completeChats(List.of(List.of(Message.user("Name a colour"))), defaults).get(0).text();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT completion FROM " + data + " WHERE id = '1'")) {
            assertTrue(rs.next());
            assertEquals(expected, rs.getString(1));
        }
        // Without --chat a messages file has no prompt column: exit 2 naming it.
        Cli.Capture plain = Cli.Capture.run("generate", "--model", modelDir.toString(), "--input", chats.toString(),
                "--output", work.resolve("answers-plain").toString(), LOCAL);
        assertEquals(2, plain.code(), plain.err());
        assertTrue(plain.err().contains("'prompt'"), plain.err());
    }

    @Test
    void scoreWritesPerTokenLogprobsAndRanks() throws Exception {
        Path pairs = Files.createDirectories(work.resolve("pairs")).resolve("pairs.jsonl");
        Files.writeString(pairs, String.join("\n",
                "{\"id\": \"a\", \"prompt\": \"The sky is\", \"response\": \" blue.\"}",
                "{\"id\": \"b\", \"prompt\": \"2 + 2 =\", \"response\": \" 4\"}",
                "{\"id\": \"c\", \"prompt\": \"Hi\", \"response\": \"\"}",
                "{\"id\": \"d\", \"prompt\": \"Hi\"}") + "\n");
        Path out = work.resolve("scores");
        Cli.Capture r = Cli.Capture.run("score", "--model", modelDir.toString(), "--input", pairs.toString(),
                "--output", out.toString(), LOCAL);
        assertEquals(0, r.code(), r.out() + r.err());
        Cli.assertCounts(out, true);
        Map<String, Object> stats = Json.readMap(Files.readString(out.resolve("stats.json")));
        assertEquals(4, ((Number) stats.get("rows_in")).intValue());
        assertEquals(2, ((Number) stats.get("rows_out")).intValue());
        // " blue." and " 4": 6 + 2 byte tokens.
        assertEquals(8, ((Number) stats.get("tokens_scored")).intValue());
        assertTrue(((Number) stats.get("perplexity")).doubleValue() > 1);
        String data = "read_parquet('" + out.resolve("data") + "/*.parquet')";
        assertEquals(2, Cli.query("SELECT count(*) FROM " + data + " WHERE len(token_ranks) = response_tokens "
                + "AND len(token_logprobs) = response_tokens AND abs(list_sum(token_logprobs) - logprob_sum) < 1e-9 "
                + "AND list_min(token_ranks) >= 1 AND model_id = 'tiny'"));
        TokenScorer scorer = new Generator(graph, tok).scorer();
        double expected = scorer.score(tok.encode("The sky is"), tok.encode(" blue.")).sum();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT logprob_sum FROM " + data + " WHERE id = 'a'")) {
            assertTrue(rs.next());
            assertEquals(expected, rs.getDouble(1), 1e-9);
        }
        assertEquals(1, Cli.query("SELECT count(*) FROM read_parquet('" + out.resolve("rejected") + "/*.parquet') "
                + "WHERE stage = 'score' AND reason = 'empty_response' AND id = 'c'"));
        assertEquals(1, Cli.query("SELECT count(*) FROM read_parquet('" + out.resolve("rejected") + "/*.parquet') "
                + "WHERE stage = 'score' AND reason = 'null_input' AND id = 'd'"));

        // Instruction rows: the last assistant turn under the chat template; y has none to score.
        Path chats = Files.createDirectories(work.resolve("sft")).resolve("sft.jsonl");
        Files.writeString(chats, "{\"id\": \"x\", \"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}, "
                + "{\"role\": \"assistant\", \"content\": \"Hello\"}]}\n"
                + "{\"id\": \"y\", \"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]}\n");
        Path sftOut = work.resolve("sft-scores");
        Cli.Capture sft = Cli.Capture.run("score", "--model", modelDir.toString(), "--input", chats.toString(),
                "--output", sftOut.toString(), LOCAL);
        assertEquals(0, sft.code(), sft.out() + sft.err());
        Cli.assertCounts(sftOut, true);
        // " Hello" (the template's space after the marker, then 5 bytes) and <|end|>.
        assertEquals(1, Cli.query("SELECT count(*) FROM read_parquet('" + sftOut.resolve("data") + "/*.parquet') "
                + "WHERE id = 'x' AND response_tokens = 7 AND token_ids[7] = 5 AND tokens[7] = '<|end|>'"));
        assertEquals(1, Cli.query("SELECT count(*) FROM read_parquet('" + sftOut.resolve("rejected") + "/*.parquet') "
                + "WHERE reason = 'no_assistant_turn' AND id = 'y'"));

        // A missing column: exit 2 naming it; no input: exit 3.
        Cli.Capture bad = Cli.Capture.run("score", "--model", modelDir.toString(), "--input", pairs.toString(),
                "--output", work.resolve("scores-bad").toString(), "--response-column", "answer", LOCAL);
        assertEquals(2, bad.code(), bad.err());
        assertTrue(bad.err().contains("'answer'") && bad.err().contains("--response-column"), bad.err());
        Cli.Capture missing = Cli.Capture.run("score", "--model", modelDir.toString(), "--input",
                work.resolve("nothing-here").toString(), "--output", work.resolve("scores-none").toString(), LOCAL);
        assertEquals(3, missing.code(), missing.err());
        assertTrue(Cli.Capture.run("--help").out().contains("score"));
    }
}
