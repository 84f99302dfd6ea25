package ai.refinery.jobs;

import ai.refinery.core.output.Json;
import ai.refinery.core.sft.Message;
import ai.refinery.core.sft.SftRow;
import ai.refinery.training.generate.ModelBundle;
import ai.refinery.training.model.GptModel;
import ai.refinery.training.model.ModelSettings;
import ai.refinery.training.tokenizer.BpeTokenizer;
import ai.refinery.training.tokenizer.SpecialTokens;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
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
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** token-shift, knowledge and select with tiny random models, local Spark and a judge on loopback HTTP. */
class AlignmentCommandsTest {
    static final String LOCAL = "--set=spark.master=local[2]";
    static final int CONTEXT = 96;

    @TempDir
    static Path work;
    static BpeTokenizer tok;
    static ComputationGraph base;
    static Path baseDir;
    static Path zDir;
    static Path xDir;
    static Path prompts;
    static Path qa;
    static Path sft;
    static HttpServer judge;
    static final List<Integer> judgeRequests = new ArrayList<>();

    /** A copy of the graph whose output bias of one token is raised (the token becomes likely everywhere). */
    static ComputationGraph biased(ComputationGraph g, int token, double delta) {
        ComputationGraph c = g.clone();
        INDArray b = c.getLayer(GptModel.OUTPUT).getParam("b");
        b.putScalar(token, b.getDouble(token) + delta);
        return c;
    }

    static Row sftRow(String id, String user, String assistant) {
        List<Message> m = new ArrayList<>();
        if (user != null) {
            m.add(Message.user(user));
        }
        if (assistant != null) {
            m.add(Message.assistant(assistant));
        }
        return RowFactory.create(new SftRow(id, m, "test", "train", null).values());
    }

    @BeforeAll
    static void setUp() throws Exception {
        tok = BpeTokenizer.fromMerges(List.of());
        base = GptModel.build(new ModelSettings(tok.vocabSize(), CONTEXT, 16, 1, 2, 2, 0),
                GptModel.Optimization.none(), DataType.FLOAT, 23);
        baseDir = work.resolve("base");
        zDir = work.resolve("aligned-z");
        xDir = work.resolve("answers-x");
        ModelBundle.write(baseDir.toString(), base, tok, new Configuration());
        ModelBundle.write(zDir.toString(), biased(base, tok.encode("z")[0], 6), tok, new Configuration());
        ModelBundle.write(xDir.toString(), biased(base, tok.encode("x")[0], 30), tok, new Configuration());

        SparkSession spark = SparkSession.builder().master("local[2]").config("spark.ui.enabled", "false").getOrCreate();
        List<Row> p = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            p.add(RowFactory.create("p" + i, "Prompt number " + i + " says:"));
        }
        p.add(RowFactory.create("null", null));
        p.add(RowFactory.create("long", "y".repeat(CONTEXT)));
        prompts = work.resolve("prompts");
        spark.createDataFrame(p, new StructType().add("id", DataTypes.StringType).add("prompt", DataTypes.StringType))
                .coalesce(2).write().parquet(prompts.toString());

        // Questions whose reference is what the x-model always says ("xxxx" in 4 tokens) and ones it never says.
        List<Row> q = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            q.add(sftRow("known" + i, "city of k" + i + "?", "xxxx"));
        }
        for (int i = 0; i < 3; i++) {
            q.add(sftRow("unknown" + i, "city of u" + i + "?", "Paris"));
        }
        q.add(sftRow("noanswer", "city of n?", null));
        q.add(sftRow("noquestion", null, "Rome"));
        qa = work.resolve("qa");
        spark.createDataFrame(q, SftRow.SCHEMA).coalesce(2).write().parquet(qa.toString());

        String s = "explain step by step how a small language model learns to follow instructions from a few "
                + "thousand curated examples written by people who care about clear and honest answers";
        List<Row> rows = new ArrayList<>();
        rows.add(sftRow("r1", s, "GOOD " + "a".repeat(10)));
        rows.add(sftRow("r2", s + " please", "MEH " + "b".repeat(200)));
        rows.add(sftRow("r3", s, "GOOD " + "c".repeat(30)));
        rows.add(sftRow("r4", "name three colours of the rainbow", "GOOD " + "d".repeat(40)));
        rows.add(sftRow("r5", "what is the capital of france", "BROKEN " + "e".repeat(80)));
        rows.add(sftRow("r6", "write a haiku about autumn leaves", "MEH " + "f".repeat(120)));
        rows.add(sftRow("r7", "how do vaccines train the immune system", "GOOD " + "g".repeat(160)));
        rows.add(sftRow("r8", "sort these numbers: 3 1 2", "MEH " + "h".repeat(5)));
        rows.add(sftRow("r9", "a question nobody answered", null));
        sft = work.resolve("sft");
        spark.createDataFrame(rows, SftRow.SCHEMA).coalesce(2).write().parquet(sft.toString());

        // An OpenAI-compatible judge: 5 for a GOOD response, 3 for MEH, words for anything else.
        ObjectMapper json = new ObjectMapper();
        judge = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        judge.createContext("/v1/completions", ex -> {
            JsonNode req = json.readTree(ex.getRequestBody());
            List<String> ps = new ArrayList<>();
            if (req.get("prompt").isArray()) {
                req.get("prompt").forEach(n -> ps.add(n.asText()));
            } else {
                ps.add(req.get("prompt").asText());
            }
            synchronized (judgeRequests) {
                judgeRequests.add(ps.size());
            }
            ObjectNode body = json.createObjectNode();
            ArrayNode choices = body.putArray("choices");
            for (int i = 0; i < ps.size(); i++) {
                String response = ps.get(i).substring(ps.get(i).indexOf("Response:"));
                String text = response.contains("GOOD") ? " 5" : response.contains("MEH") ? " 3 out of 5" : " no idea";
                choices.addObject().put("index", i).put("text", text).put("finish_reason", "stop");
            }
            byte[] out = body.toString().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, out.length);
            ex.getResponseBody().write(out);
            ex.close();
        });
        judge.start();
    }

    @AfterAll
    static void tearDown() {
        judge.stop(0);
    }

    static Map<String, Object> stats(Path out) throws Exception {
        return Json.readMap(Files.readString(out.resolve("stats.json")));
    }

    static List<List<Object>> rows(String sql) throws Exception {
        List<List<Object>> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<Object> r = new ArrayList<>();
                for (int i = 1; i <= n; i++) {
                    r.add(rs.getObject(i));
                }
                out.add(r);
            }
        }
        return out;
    }

    static Set<String> ids(Path folder, String where) throws Exception {
        Set<String> out = new HashSet<>();
        for (List<Object> r : rows("SELECT id FROM read_parquet('" + folder + "/*.parquet') WHERE " + where)) {
            out.add((String) r.get(0));
        }
        return out;
    }

    @Test
    void tokenShiftOfAModelAgainstItselfIsAllUnshifted() throws Exception {
        Path out = work.resolve("shift-self");
        Cli.Capture r = Cli.Capture.run("token-shift", "--base", baseDir.toString(), "--aligned", baseDir.toString(),
                "--input", prompts.toString(), "--output", out.toString(), LOCAL, "--set", "token_shift.max_tokens=12");
        assertEquals(0, r.code(), r.out() + r.err());
        Cli.assertCounts(out, false);
        Map<String, Object> stats = stats(out);
        assertEquals(7, ((Number) stats.get("rows_in")).intValue());
        assertEquals(Map.of("null_prompt", 1, "prompt_too_long", 1), ((Map<?, ?>) stats.get("rejected")).get("token-shift"));
        String data = "read_parquet('" + out.resolve("data") + "/*.parquet')";
        long tokens = Cli.query("SELECT count(*) FROM " + data);
        assertTrue(tokens >= 5, "every prompt emits at least one token");
        assertEquals(tokens, Cli.query("SELECT count(*) FROM " + data + " WHERE base_rank = 1 AND aligned_rank = 1 "
                + "AND shift = 'unshifted' AND abs(base_prob - aligned_prob) < 1e-9"));
        assertEquals(1.0, ((Number) ((Map<?, ?>) stats.get("shares")).get("unshifted")).doubleValue());
        // The prompts as user turns of the chat template: the same agreement.
        Path chat = work.resolve("shift-self-chat");
        Cli.Capture c = Cli.Capture.run("token-shift", "--base", baseDir.toString(), "--aligned", baseDir.toString(),
                "--input", prompts.toString(), "--output", chat.toString(), LOCAL, "--set", "token_shift.max_tokens=6",
                "--set", "token_shift.chat=true");
        assertEquals(0, c.code(), c.out() + c.err());
        String chatData = "read_parquet('" + chat.resolve("data") + "/*.parquet')";
        assertTrue(Cli.query("SELECT count(*) FROM " + chatData) >= 5);
        assertEquals(0, Cli.query("SELECT count(*) FROM " + chatData + " WHERE base_rank <> 1"));
        // Positions run 0..n-1 per prompt.
        assertEquals(0, Cli.query("SELECT count(*) FROM (SELECT prompt_id, max(position) + 1 - count(*) AS gap FROM "
                + data + " GROUP BY prompt_id) WHERE gap <> 0"));
    }

    @Test
    void tokenShiftFindsTheTokenTheAlignedModelWasPushedTowards() throws Exception {
        Path out = work.resolve("shift-z");
        Cli.Capture r = Cli.Capture.run("token-shift", "--base", baseDir.toString(), "--aligned", zDir.toString(),
                "--input", prompts.toString(), "--output", out.toString(), LOCAL, "--set", "token_shift.max_tokens=12",
                "--set", "token_shift.batch_size=2");
        assertEquals(0, r.code(), r.out() + r.err());
        Cli.assertCounts(out, false);
        Map<String, Object> stats = stats(out);
        Map<?, ?> shares = (Map<?, ?>) stats.get("shares");
        double sum = 0;
        for (Object v : shares.values()) {
            sum += ((Number) v).doubleValue();
        }
        assertEquals(1.0, sum, 1e-5);
        assertTrue(((Number) shares.get("shifted")).doubleValue() > 0.5, String.valueOf(shares));
        List<?> top = (List<?>) stats.get("top_shifted");
        assertEquals("z", ((Map<?, ?>) top.get(0)).get("token"), String.valueOf(top));
        long byPosition = 0;
        for (Object b : ((Map<?, ?>) stats.get("shares_by_position")).values()) {
            byPosition += ((Number) ((Map<?, ?>) b).get("tokens")).longValue();
        }
        assertEquals(((Number) stats.get("rows_out")).longValue(), byPosition);
        String data = "read_parquet('" + out.resolve("data") + "/*.parquet')";
        int z = tok.encode("z")[0];
        // Greedy: the aligned model's own top token; the raised bias makes z likelier than under the base model.
        assertEquals(0, Cli.query("SELECT count(*) FROM " + data + " WHERE aligned_rank <> 1"));
        assertEquals(0, Cli.query("SELECT count(*) FROM " + data + " WHERE token_id = " + z + " AND aligned_prob <= base_prob"));
        assertEquals(0, Cli.query("SELECT count(*) FROM " + data + " WHERE (base_rank = 1) <> (shift = 'unshifted') "
                + "OR (base_rank > 3) <> (shift = 'shifted')"));

        // Independently: the base graph's own softmax over prompt + response at the same positions.
        List<List<Object>> p0 = rows("SELECT token_id, base_prob, base_rank FROM " + data
                + " WHERE prompt_id = 'p0' ORDER BY position");
        int[] prompt = tok.encode("Prompt number 0 says:");
        INDArray f = Nd4j.zeros(DataType.FLOAT, 1, CONTEXT);
        for (int i = 0; i < prompt.length; i++) {
            f.putScalar(0, i, prompt[i]);
        }
        for (int i = 0; i + 1 < p0.size(); i++) {
            f.putScalar(0, prompt.length + i, ((Number) p0.get(i).get(0)).intValue());
        }
        INDArray probs = base.output(f)[0];
        int pad = tok.idOf(SpecialTokens.PAD);
        for (int i = 0; i < p0.size(); i++) {
            int t = prompt.length - 1 + i;
            int token = ((Number) p0.get(i).get(0)).intValue();
            double pt = probs.getDouble(0, token, t);
            assertEquals(pt, ((Number) p0.get(i).get(1)).doubleValue(), 1e-5, "base_prob at response position " + i);
            int surelyAbove = 0;
            int maybeAbove = 0;
            for (int v = 0; v < tok.vocabSize(); v++) {
                if (v == pad || v == token) {
                    continue;
                }
                double pv = probs.getDouble(0, v, t);
                surelyAbove += pv > pt + 1e-6 ? 1 : 0;
                maybeAbove += pv > pt - 1e-6 ? 1 : 0;
            }
            int rank = ((Number) p0.get(i).get(2)).intValue();
            assertTrue(rank - 1 >= surelyAbove && rank - 1 <= maybeAbove, "base_rank " + rank + " at position " + i
                    + ", graph: " + surelyAbove + ".." + maybeAbove + " tokens above");
        }
    }

    private static String[] knowledgeArgs(Path out, String... more) {
        List<String> a = new ArrayList<>(List.of("knowledge", "--model", xDir.toString(), "--input", qa.toString(),
                "--output", out.toString(), LOCAL, "--set", "knowledge.prompt_sets=3", "--set", "knowledge.samples=4",
                "--set", "knowledge.shots=2", "--set", "knowledge.max_tokens=4"));
        a.addAll(List.of(more));
        return a.toArray(new String[0]);
    }

    private static Map<String, List<Object>> knowledgeRows(Path out) throws Exception {
        Map<String, List<Object>> m = new TreeMap<>();
        for (List<Object> r : rows("SELECT id, category, greedy_correct, sampled_correct, greedy_right, sampled_right, "
                + "array_to_string(greedy_answers, '|') FROM read_parquet('" + out.resolve("data") + "/*.parquet')")) {
            m.put((String) r.get(0), r.subList(1, r.size()));
        }
        return m;
    }

    @Test
    void knowledgeCategoriesAreDeterministicAndFeedTheKnowledgeRuleOfSelect() throws Exception {
        Path out = work.resolve("knowledge");
        Cli.Capture r = Cli.Capture.run(knowledgeArgs(out));
        assertEquals(0, r.code(), r.out() + r.err());
        Cli.assertCounts(out, true);
        Map<String, Object> stats = stats(out);
        assertEquals(Map.of("HighlyKnown", 4, "MaybeKnown", 0, "WeaklyKnown", 0, "Unknown", 3), stats.get("categories"));
        assertEquals(Map.of("no_answer", 1, "no_question", 1), ((Map<?, ?>) stats.get("rejected")).get("knowledge"));
        assertEquals(15, ((Number) stats.get("continuations_per_question")).intValue());
        Map<String, List<Object>> rows = knowledgeRows(out);
        for (int i = 0; i < 4; i++) {
            assertEquals(List.of("HighlyKnown", 1.0, 1.0, 3, 12, "xxxx|xxxx|xxxx"), rows.get("known" + i));
        }
        assertEquals(List.of("Unknown", 0.0, 0.0, 0, 0, "xxxx|xxxx|xxxx"), rows.get("unknown0"));

        // The same seed, another partitioning: the same rows.
        Path again = work.resolve("knowledge-again");
        Cli.Capture r2 = Cli.Capture.run(knowledgeArgs(again, "--set", "spark.conf={\"spark.default.parallelism\": 3}"));
        assertEquals(0, r2.code(), r2.out() + r2.err());
        assertEquals(rows, knowledgeRows(again));

        // The random base model with the same seed twice: categories from real sampling, identical runs.
        Path b1 = work.resolve("knowledge-base-1");
        Path b2 = work.resolve("knowledge-base-2");
        for (Path b : List.of(b1, b2)) {
            String[] args = knowledgeArgs(b, "--set", "knowledge.max_tokens=2");
            args[2] = baseDir.toString();
            Cli.Capture rb = Cli.Capture.run(args);
            assertEquals(0, rb.code(), rb.out() + rb.err());
        }
        assertEquals(knowledgeRows(b1), knowledgeRows(b2));

        // select --rule knowledge: drop Unknown (and rows knowledge could not judge).
        Path selected = work.resolve("select-knowledge");
        Cli.Capture s = Cli.Capture.run("select", "--input", qa.toString(), "--output", selected.toString(), LOCAL,
                "--set", "select.rule=knowledge", "--set", "select.n=0", "--set", "select.knowledge.input=" + out);
        assertEquals(0, s.code(), s.out() + s.err());
        Cli.assertCounts(selected, true);
        assertEquals(Set.of("known0", "known1", "known2", "known3"), Cli.ids(selected.resolve("data")));
        assertEquals(Set.of("unknown0", "unknown1", "unknown2"), ids(selected.resolve("rejected"),
                "reason = 'category_dropped' AND detail = 'Unknown' AND rule = 'knowledge'"));
        assertEquals(Set.of("noquestion"), ids(selected.resolve("rejected"), "reason = 'no_category'"));
        assertEquals(Set.of("noanswer"), ids(selected.resolve("rejected"), "reason = 'no_response'"));
    }

    private static Cli.Capture select(Path out, String... settings) {
        List<String> a = new ArrayList<>(List.of("select", "--input", sft.toString(), "--output", out.toString(), LOCAL));
        for (String s : settings) {
            a.add("--set");
            a.add(s);
        }
        return Cli.Capture.run(a.toArray(new String[0]));
    }

    @Test
    void selectLongestAndRandom() throws Exception {
        Path longest = work.resolve("select-longest");
        Cli.Capture r = select(longest, "select.rule=longest", "select.n=3");
        assertEquals(0, r.code(), r.out() + r.err());
        Cli.assertCounts(longest, true);
        assertEquals(Set.of("r2", "r7", "r6"), Cli.ids(longest.resolve("data")));
        assertEquals(5, ids(longest.resolve("rejected"), "reason = 'not_longest' AND rule = 'longest'").size());
        assertEquals(Set.of("r9"), ids(longest.resolve("rejected"), "reason = 'no_response' AND rule = 'input'"));
        // The SFT row contract is kept.
        assertEquals(List.of("id", "messages", "source", "split", "score"), new ArrayList<>(Cli.schema(longest.resolve("data")).keySet()));

        Path random1 = work.resolve("select-random-1");
        Path random2 = work.resolve("select-random-2");
        assertEquals(0, select(random1, "select.rule=random", "select.n=4", "select.seed=5").code());
        assertEquals(0, select(random2, "select.rule=random", "select.n=4", "select.seed=5",
                "spark.conf={\"spark.default.parallelism\": 3}").code());
        Cli.assertCounts(random1, true);
        assertEquals(4, Cli.ids(random1.resolve("data")).size());
        assertEquals(Cli.ids(random1.resolve("data")), Cli.ids(random2.resolve("data")));
        assertTrue(!Cli.ids(random1.resolve("data")).contains("r9"));

        // n is required for longest and random.
        Cli.Capture bad = select(work.resolve("select-bad"), "select.rule=random", "select.n=0");
        assertEquals(2, bad.code(), bad.err());
        assertTrue(bad.err().contains("select.n"), bad.err());
    }

    @Test
    void selectDedupRemovesNearDuplicateInstructions() throws Exception {
        Path out = work.resolve("select-dedup");
        Cli.Capture r = select(out, "select.rule=dedup", "select.n=0");
        assertEquals(0, r.code(), r.out() + r.err());
        Cli.assertCounts(out, true);
        assertEquals(Set.of("r1", "r4", "r5", "r6", "r7", "r8"), Cli.ids(out.resolve("data")));
        assertEquals(Set.of("r2"), ids(out.resolve("rejected"), "reason = 'near-duplicate' AND detail = 'duplicate of r1'"));
        assertEquals(Set.of("r3"), ids(out.resolve("rejected"), "reason = 'exact-duplicate' AND rule = 'dedup'"));
    }

    @Test
    void selectByAJudgeBehindAnOpenAiCompatibleEndpoint() throws Exception {
        Path out = work.resolve("select-judge");
        Cli.Capture r = select(out, "select.rule=judge", "select.n=0", "select.judge.model=judge",
                "select.judge.endpoint=\"http://127.0.0.1:" + judge.getAddress().getPort() + "\"",
                "select.judge.batch_size=3");
        assertEquals(0, r.code(), r.out() + r.err());
        Cli.assertCounts(out, true);
        assertEquals(Set.of("r1", "r3", "r4", "r7"), Cli.ids(out.resolve("data")));
        assertEquals(4, Cli.query("SELECT count(*) FROM read_parquet('" + out.resolve("data") + "/*.parquet') WHERE judge_score = 5"));
        assertEquals(Set.of("r2", "r6", "r8"), ids(out.resolve("rejected"), "reason = 'below_threshold'"));
        assertEquals(Set.of("r5"), ids(out.resolve("rejected"), "reason = 'judge_unparsed'"));
        synchronized (judgeRequests) {
            assertTrue(judgeRequests.stream().allMatch(n -> n <= 3) && judgeRequests.stream().mapToInt(n -> n).sum() >= 8,
                    String.valueOf(judgeRequests));
        }
        // At most n of the rows that pass, the best scores first (ties by id).
        Path capped = work.resolve("select-judge-capped");
        Cli.Capture c = select(capped, "select.rule=judge", "select.n=2", "select.judge.model=judge", "select.judge.threshold=3",
                "select.judge.endpoint=\"http://127.0.0.1:" + judge.getAddress().getPort() + "\"");
        assertEquals(0, c.code(), c.out() + c.err());
        Cli.assertCounts(capped, true);
        assertEquals(Set.of("r1", "r3"), Cli.ids(capped.resolve("data")));
        assertEquals(Set.of("r4", "r7", "r2", "r6", "r8"), ids(capped.resolve("rejected"), "reason = 'over_n'"));
    }

    @Test
    void selectByOurOwnModelAsTheJudge() throws Exception {
        Path template = work.resolve("judge-short.txt");
        Files.writeString(template, "{instruction}|{response}|");
        Path out = work.resolve("select-judge-local");
        Cli.Capture r = select(out, "select.rule=judge", "select.n=0", "select.judge.local_model=" + baseDir,
                "select.judge.prompt=\"" + template + "\"", "select.judge.max_chars=12", "select.judge.threshold=0",
                "select.judge.endpoint=\"http://127.0.0.1:9\"");
        assertEquals(0, r.code(), r.out() + r.err());
        Cli.assertCounts(out, true);
        // Each row's fate is what the model itself answers to its prompt (greedy, select.judge.max_tokens).
        ai.refinery.training.generate.Generator g = ModelBundle.load(baseDir.toString(), new Configuration()).generator();
        ai.refinery.training.decode.SamplingSettings greedy = new ai.refinery.training.decode.SamplingSettings(8, 0.0, 0,
                1.0, 42, List.of());
        Set<String> kept = new HashSet<>();
        Set<String> unparsed = new HashSet<>();
        for (List<Object> row : rows("SELECT id, list_extract(messages, 1).content, list_extract(messages, 2).content FROM "
                + "read_parquet('" + sft + "/*.parquet') WHERE len(messages) = 2")) {
            String prompt = ai.refinery.rephrasing.select.SelectRules.judgePrompt(Files.readString(template).strip(),
                    (String) row.get(1), (String) row.get(2), 12);
            Double score = ai.refinery.rephrasing.select.SelectRules.score(g.complete(prompt, greedy).text());
            (score == null ? unparsed : kept).add((String) row.get(0));
        }
        assertEquals(8, kept.size() + unparsed.size());
        assertEquals(kept, Cli.ids(out.resolve("data")));
        assertEquals(unparsed, ids(out.resolve("rejected"), "reason = 'judge_unparsed'"));
        Map<String, Object> manifest = Json.readMap(Files.readString(out.resolve("manifest.json")));
        assertTrue(String.valueOf(manifest.get("judge")).contains("base"), String.valueOf(manifest.get("judge")));
    }
}
