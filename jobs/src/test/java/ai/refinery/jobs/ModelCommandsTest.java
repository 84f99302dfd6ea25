package ai.refinery.jobs;

import ai.refinery.core.output.Json;
import ai.refinery.rephrasing.model.Guards;
import ai.refinery.rephrasing.model.ModelRephraseSettings;
import ai.refinery.rephrasing.model.ModelRephraser;
import ai.refinery.training.generate.Generator;
import ai.refinery.training.generate.ModelBundle;
import ai.refinery.training.decode.SamplingSettings;
import ai.refinery.training.model.GptModel;
import ai.refinery.training.model.ModelSettings;
import ai.refinery.training.serve.CompletionServer;
import ai.refinery.training.serve.ServeSettings;
import ai.refinery.training.tokenizer.BpeTokenizer;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.AfterAll;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** generate, serve and model rephrasing with a tiny random model: our own server, real HTTP, local Spark. */
class ModelCommandsTest {
    static final String LOCAL = "--set=spark.master=local[2]";
    static final int CONTEXT = 48;

    @TempDir
    static Path work;
    static Path modelDir;
    static ComputationGraph graph;
    static BpeTokenizer tok;
    static CompletionServer server;
    static Path docs;

    @BeforeAll
    static void setUp() throws Exception {
        tok = BpeTokenizer.fromMerges(List.of());
        graph = GptModel.build(new ModelSettings(tok.vocabSize(), CONTEXT, 16, 1, 2, 2, 0),
                GptModel.Optimization.none(), DataType.FLOAT, 17);
        modelDir = work.resolve("tiny");
        ModelBundle.write(modelDir.toString(), graph, tok, new Configuration());
        server = CompletionServer.start(ModelBundle.load(modelDir.toString(), new Configuration()),
                new ServeSettings("127.0.0.1", 0, 2, 8, 16, 1 << 20, 64, 16, ""),
                new SamplingSettings(16, 0.8, 0, 0.95, 42, List.of()));

        // Prompt templates short enough for a 48-token context of a byte-level tokenizer.
        Path prompts = Files.createDirectories(work.resolve("prompts"));
        Files.writeString(prompts.resolve("rephrase-wiki.txt"), "W: {text}\n");
        Files.writeString(prompts.resolve("rephrase-easy.txt"), "E: {text}\n");

        SparkSession spark = SparkSession.builder().master("local[2]").config("spark.ui.enabled", "false").getOrCreate();
        StructType schema = new StructType().add("id", DataTypes.StringType).add("text", DataTypes.StringType)
                .add("prompt", DataTypes.StringType);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            rows.add(RowFactory.create("doc" + i, "Doc " + i + " says hello.", "Tell " + i + ":"));
        }
        rows.add(RowFactory.create("empty", "", "x".repeat(CONTEXT + 1)));
        docs = work.resolve("docs");
        spark.createDataFrame(rows, schema).coalesce(2).write().parquet(docs.toString());
    }

    @AfterAll
    static void tearDown() {
        server.close();
    }

    private static List<String> rephraseArgs(Path out, String... more) {
        List<String> a = new ArrayList<>(List.of("rephrase", "--input", docs.toString(), "--output", out.toString(), LOCAL,
                "--set", "rephrase.rephraser=model",
                "--set", "rephrase.model.endpoint=" + server.baseUri(),
                "--set", "rephrase.model.prompts=" + work.resolve("prompts"),
                "--set", "rephrase.model.styles=[wiki,easy]",
                "--set", "rephrase.model.max_tokens=12",
                "--set", "rephrase.model.max_source_chars=30",
                "--set", "rephrase.model.batch_size=3",
                "--set", "rephrase.model.concurrency=2",
                "--set", "rephrase.guards.stages=[]",
                "--set", "rephrase.guards.min_chars=0"));
        a.addAll(List.of(more));
        return a;
    }

    private static Map<String, String> texts(Path folder) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id, text FROM read_parquet('" + folder + "/*.parquet')")) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getString(2));
            }
        }
        return out;
    }

    /** The prompt a rephrased row "doc<i>-<style>" was generated from (the templates and documents of setUp). */
    private static String promptOf(String rowId) {
        String docId = rowId.substring(0, rowId.lastIndexOf('-'));
        String style = rowId.substring(rowId.lastIndexOf('-') + 1);
        return (style.equals("wiki") ? "W: " : "E: ") + "Doc " + docId.substring(3) + " says hello.";
    }

    @Test
    void modelRephrasingThroughOurServer() throws Exception {
        Path out = work.resolve("rephrased");
        Cli.Capture r = Cli.Capture.run(rephraseArgs(out).toArray(new String[0]));
        assertEquals(0, r.code(), r.out() + r.err());
        Map<String, String> data = texts(out.resolve("data"));
        Map<String, Object> stats = Json.readMap(Files.readString(out.resolve("stats.json")));
        assertEquals(7, ((Number) stats.get("rows_in")).intValue());
        assertEquals(1, ((Number) ((Map<?, ?>) ((Map<?, ?>) stats.get("rejected")).get("input")).get("empty_text")).intValue());
        Cli.assertCounts(out, false);
        assertEquals(12, ((Number) stats.get("generations")).intValue());
        long rejectedGenerations = Cli.query("SELECT count(*) FROM read_parquet('" + out.resolve("rejected")
                + "/*.parquet') WHERE stage <> 'input'");
        assertEquals(12, data.size() + rejectedGenerations, "every (document, style) is in data/ or rejected/");
        // The model id is the one the server lists; provenance on every row.
        assertEquals(data.size(), Cli.query("SELECT count(*) FROM read_parquet('" + out.resolve("data") + "/*.parquet') "
                + "WHERE model_id = 'tiny' AND seed = 42 AND rephraser = 'model/' || style AND id = source_id || '-' || style"));

        // A row's text is what the model gives for its prompt with the request's settings and seed.
        Generator g = ModelBundle.load(modelDir.toString(), new Configuration()).generator();
        SamplingSettings asked = new SamplingSettings(12, 0.7, 0, 0.95, 42, List.of());
        for (Map.Entry<String, String> e : data.entrySet()) {
            assertEquals(g.complete(promptOf(e.getKey()), asked).text().strip(), e.getValue(), e.getKey());
        }

        // Another partitioning and batch size give the same rows.
        Path again = work.resolve("rephrased-again");
        Cli.Capture r2 = Cli.Capture.run(rephraseArgs(again, "--set", "rephrase.model.batch_size=1",
                "--set", "spark.conf={\"spark.default.parallelism\": 3}").toArray(new String[0]));
        assertEquals(0, r2.code(), r2.out() + r2.err());
        assertEquals(data, texts(again.resolve("data")));
    }

    @Test
    void modelRephrasingWithALocalModelGivesWhatTheServerGives() throws Exception {
        Path served = work.resolve("rephrased-served");
        Cli.Capture viaServer = Cli.Capture.run(rephraseArgs(served).toArray(new String[0]));
        assertEquals(0, viaServer.code(), viaServer.out() + viaServer.err());
        // The endpoint is down: only the local model can answer.
        Path local = work.resolve("rephrased-local");
        Cli.Capture r = Cli.Capture.run(rephraseArgs(local, "--set", "rephrase.model.local_model=" + modelDir,
                "--set", "rephrase.model.endpoint=http://127.0.0.1:9").toArray(new String[0]));
        assertEquals(0, r.code(), r.out() + r.err());
        Map<String, String> data = texts(local.resolve("data"));
        assertEquals(12, data.size() + Cli.query("SELECT count(*) FROM read_parquet('" + local.resolve("rejected")
                + "/*.parquet') WHERE stage <> 'input'"));
        assertTrue(data.size() > 0, "the guards kept nothing: " + r.out());
        assertEquals(texts(served.resolve("data")), data);
        assertEquals(data.size(), Cli.query("SELECT count(*) FROM read_parquet('" + local.resolve("data") + "/*.parquet') "
                + "WHERE model_id = 'tiny' AND seed = 42"));
        Map<String, Object> manifest = Json.readMap(Files.readString(local.resolve("manifest.json")));
        assertTrue(String.valueOf(manifest.get("model")).contains("tiny"), String.valueOf(manifest.get("model")));

        // A folder without a model is a usage error naming the setting.
        Cli.Capture missing = Cli.Capture.run(rephraseArgs(work.resolve("rephrased-missing"),
                "--set", "rephrase.model.local_model=" + work.resolve("no-such-model")).toArray(new String[0]));
        assertEquals(2, missing.code(), missing.out() + missing.err());
        assertTrue(missing.err().contains("rephrase.model.local_model"), missing.err());
    }

    @Test
    void localModelRephrasingDecodesWithTheRulesFile() throws Exception {
        // A fixed score on one listed token: +100 on "z" makes it every token the model writes.
        Path zRules = work.resolve("rules-z.conf");
        Files.writeString(zRules, "eos_score = 0\neos_length = 1\nrepeat_penalty = 0\n"
                + "token_scores = [{ token = \"z\", score = 100 }]\n");
        // The end-of-text ramp alone: 0 at length 0, +25 from the first token on, so every text ends after it.
        Path endRules = work.resolve("rules-end.conf");
        Files.writeString(endRules, "eos_score = 100\neos_length = 4\nrepeat_penalty = 0\ntoken_scores = []\n");
        Generator g = ModelBundle.load(modelDir.toString(), new Configuration()).generator();
        SamplingSettings asked = new SamplingSettings(12, 0.7, 0, 0.95, 42, List.of());
        for (Path rules : List.of(zRules, endRules)) {
            Path out = work.resolve("rephrased-" + rules.getFileName());
            Cli.Capture r = Cli.Capture.run(rephraseArgs(out, "--set", "rephrase.model.local_model=" + modelDir,
                    "--set", "rephrase.model.endpoint=http://127.0.0.1:9", "--set", "rephrase.model.rules=true",
                    "--set", "generate.rules_file=\"" + rules + "\"").toArray(new String[0]));
            assertEquals(0, r.code(), r.out() + r.err());
            Map<String, String> data = texts(out.resolve("data"));
            assertTrue(data.size() > 0, "the guards kept nothing: " + r.out());
            // Each text is what our decoder gives for its prompt with these rules in the sampling chain.
            SamplingSettings ruled = asked.withRules(ai.refinery.training.decode.RuleSet.load(rules.toString(), "test"));
            for (Map.Entry<String, String> e : data.entrySet()) {
                assertEquals(g.complete(promptOf(e.getKey()), ruled).text().strip(), e.getValue(), e.getKey());
            }
            String where = "FROM read_parquet('" + out.resolve("data") + "/*.parquet')";
            if (rules == zRules) {
                assertEquals(data.size(), Cli.query("SELECT count(*) " + where
                        + " WHERE text = 'zzzzzzzzzzzz' AND finish_reason = 'length'"), data.toString());
            } else {
                assertEquals(data.size(), Cli.query("SELECT count(*) " + where
                        + " WHERE length(text) <= 1 AND finish_reason = 'stop'"), data.toString());
            }
        }
        // Without rephrase.model.rules the same rules file changes nothing: the texts run on as before.
        Path off = work.resolve("rephrased-rules-off");
        Cli.Capture r = Cli.Capture.run(rephraseArgs(off, "--set", "rephrase.model.local_model=" + modelDir,
                "--set", "generate.rules_file=\"" + zRules + "\"").toArray(new String[0]));
        assertEquals(0, r.code(), r.out() + r.err());
        assertEquals(0, Cli.query("SELECT count(*) FROM read_parquet('" + off.resolve("data") + "/*.parquet') "
                + "WHERE text = 'zzzzzzzzzzzz'"));
        // The rules need our own decoder: with an endpoint they are a usage error naming the setting.
        Cli.Capture endpoint = Cli.Capture.run(rephraseArgs(work.resolve("rephrased-rules-endpoint"),
                "--set", "rephrase.model.rules=true").toArray(new String[0]));
        assertEquals(2, endpoint.code(), endpoint.out() + endpoint.err());
        assertTrue(endpoint.err().contains("rephrase.model.rules"), endpoint.err());
    }

    @Test
    void aServerThatIsDownGivesRejectedRowsNotMissingOnes() throws Exception {
        SparkSession spark = SparkSession.builder().master("local[2]").getOrCreate();
        var config = ai.refinery.core.config.Settings.load(null, List.of(
                "rephrase.model.endpoint=\"http://127.0.0.1:9\"", "rephrase.model.model=tiny",
                "rephrase.model.prompts=\"" + work.resolve("prompts") + "\"", "rephrase.model.styles=[wiki]",
                "rephrase.model.retries=1", "rephrase.model.backoff_ms=10", "rephrase.model.timeout_s=2",
                "rephrase.guards.stages=[]"));
        ModelRephraseSettings s = ModelRephraseSettings.from(config);
        ModelRephraser.Result r = ModelRephraser.run(spark, spark.read().parquet(docs.toString()), s);
        try {
            Map<String, Long> stats = r.stats();
            assertEquals(6L, stats.get("rejected.generate.generation_failed"));
            assertEquals(0L, stats.get("rows_out"));
            assertTrue(r.rejected().filter("stage = 'generate'").first().<String>getAs("detail").startsWith("connection error"));
        } finally {
            r.release();
        }
        assertEquals(List.of(), Guards.from(config).stageNames());
    }

    @Test
    void generateOnePromptPrintsTheCompletion() {
        Cli.Capture r = Cli.Capture.run("generate", "--model", modelDir.toString(), "--prompt", "Hello",
                "--set", "generate.temperature=0", "--set", "generate.max_tokens=6");
        assertEquals(0, r.code(), r.err());
        Generator g = new Generator(graph, tok);
        assertEquals(g.complete("Hello", SamplingSettings.greedy(6)).text() + System.lineSeparator(), r.out());
        assertTrue(r.err().contains("finish_reason"), r.err());

        // The sampling chain's settings: a bias of +100 on 'z' makes every token 'z'; the rule-based adapter runs.
        int z = ai.refinery.training.tokenizer.SpecialTokens.FIRST_BYTE_ID + 'z';
        Cli.Capture biased = Cli.Capture.run("generate", "--model", modelDir.toString(), "--prompt", "Hello",
                "--set", "generate.max_tokens=4", "--set", "generate.min_tokens=4", "--set", "generate.logit_bias={\"" + z + "\": 100}");
        assertEquals(0, biased.code(), biased.err());
        assertEquals("zzzz" + System.lineSeparator(), biased.out());
        Cli.Capture ruled = Cli.Capture.run("generate", "--model", modelDir.toString(), "--prompt", "Hello",
                "--set", "generate.rules=true", "--set", "generate.max_tokens=6");
        assertEquals(0, ruled.code(), ruled.err());
        // Bad settings: exit 2, naming the key.
        for (String[] bad : new String[][] {{"generate.min_p=2", "generate.min_p"},
                {"generate.logit_bias={\"x\": 1}", "generate.logit_bias"},
                {"generate.logit_bias={\"99999\": 1}", "generate.logit_bias"},
                {"generate.min_tokens=500", "generate.min_tokens"},
                {"generate.rules_file=\"" + work.resolve("no-rules.conf") + "\"", "generate.rules_file"}}) {
            Cli.Capture e = Cli.Capture.run("generate", "--model", modelDir.toString(), "--prompt", "Hello",
                    "--set", "generate.rules=true", "--set", bad[0]);
            assertEquals(2, e.code(), bad[0] + ": " + e.err());
            assertTrue(e.err().contains(bad[1]), e.err());
        }
    }

    @Test
    void generateATableOfPromptsAsASparkJob() throws Exception {
        Path out = work.resolve("completions");
        Cli.Capture r = Cli.Capture.run("generate", "--model", modelDir.toString(), "--input", docs.toString(),
                "--output", out.toString(), LOCAL, "--set", "generate.max_tokens=5");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(Files.exists(out.resolve("_SUCCESS")));
        assertEquals(6, Cli.query("SELECT count(*) FROM read_parquet('" + out.resolve("data") + "/*.parquet') "
                + "WHERE model_id = 'tiny' AND completion_tokens <= 5 AND settings LIKE '%\"seed\":42%'"));
        assertEquals(1, Cli.query("SELECT count(*) FROM read_parquet('" + out.resolve("rejected") + "/*.parquet') "
                + "WHERE stage = 'generate' AND reason = 'prompt_too_long' AND id = 'empty'"));
        Cli.assertCounts(out, true);
        Map<String, Object> stats = Json.readMap(Files.readString(out.resolve("stats.json")));
        assertEquals(7, ((Number) stats.get("rows_in")).intValue(), "the prompts read");

        Cli.Capture bad = Cli.Capture.run("generate", "--model", work.resolve("nope").toString(), "--prompt", "x");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--model"), bad.err());
        assertEquals(2, Cli.Capture.run("generate", "--model", modelDir.toString()).code());
    }
}
