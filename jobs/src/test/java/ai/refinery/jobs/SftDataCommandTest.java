package ai.refinery.jobs;

import ai.refinery.core.output.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
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
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * sft-data through the command line over small files of every format and the output of rephrase qa, read back
 * with DuckDB; then its output packed by tokenize; then mixing by weight and cap.
 */
class SftDataCommandTest {
    static final String LOCAL = "--set=spark.master=local[2]";

    @TempDir
    static Path work;

    static final String ALPACA = """
            {"instruction": "Give three tips for staying healthy.", "input": "", "output": "Eat well, sleep, move."}
            {"instruction": "Translate to French.", "input": "Good morning", "output": "Bonjour"}
            {"instruction": "Say nothing.", "input": "", "output": "   "}
            this line is not JSON
            {"instruction": "Translate to French.", "input": "Good morning", "output": "Bonjour"}
            {"instruction": "Name a colour.", "output": "Blue", "split": "test", "score": 4.5}
            """;
    static final String SHAREGPT = """
            {"id": "sg-1", "system": "Be brief.", "conversations": [{"from": "human", "value": "hi"}, {"from": "gpt", "value": "Hello!"}]}
            {"id": "sg-2", "conversations": [{"from": "gpt", "value": "I speak first"}, {"from": "human", "value": "no"}]}
            {"id": "sg-3", "conversations": [{"from": "human", "value": "weather?"}, {"from": "function_call", "value": "f()"}]}
            """;
    static final String OPENAI = """
            {"messages": [{"role": "system", "content": "You are terse."}, {"role": "user", "content": "Capital of France?"}, {"role": "assistant", "content": "Paris."}, {"role": "user", "content": "And Italy?"}, {"role": "assistant", "content": "Rome."}]}
            {"messages": [{"role": "user", "content": "Unanswered?"}]}
            {"messages": [{"role": "user", "content": [{"type": "text", "text": "Two "}, {"type": "text", "text": "parts"}]}, {"role": "assistant", "content": "One answer."}]}
            """;
    static final String PROMPT_COMPLETION = """
            {"prompt": "The sky is", "completion": " blue."}
            {"prompt": [{"role": "user", "content": "2+2?"}], "completion": [{"role": "assistant", "content": "4"}]}
            {"prompt": "No completion here"}
            """;

    static Path inputs;
    static Path qa;
    static Path tok;

    @BeforeAll
    static void inputs() throws Exception {
        inputs = Files.createDirectories(work.resolve("in"));
        Files.writeString(inputs.resolve("alpaca.jsonl"), ALPACA);
        Files.writeString(inputs.resolve("sharegpt.json"), SHAREGPT);
        Files.writeString(inputs.resolve("openai.jsonl"), OPENAI);
        try (OutputStream gz = new GZIPOutputStream(Files.newOutputStream(inputs.resolve("pc.jsonl.gz")))) {
            gz.write(PROMPT_COMPLETION.getBytes(StandardCharsets.UTF_8));
        }
        Path bios = work.resolve("bios");
        Cli.Capture b = Cli.Capture.run("bios", "--people", "20", "--seed", "3", "--output", bios.toString(), LOCAL);
        assertEquals(0, b.code(), b.out() + b.err());
        qa = work.resolve("qa");
        Cli.Capture r = Cli.Capture.run("rephrase", "--input", bios.toString(), "--output", qa.toString(),
                "--set", "rephrase.rephraser=qa", "--set", "rephrase.qa.questions_per_attribute=1", LOCAL);
        assertEquals(0, r.code(), r.out() + r.err());
        tok = work.resolve("tok");
        Cli.Capture t = Cli.Capture.run("tokenizer", "--input", bios.toString(), "--output", tok.toString(),
                "--set", "tokenizer.vocab_size=300", LOCAL);
        assertEquals(0, t.code(), t.out() + t.err());
    }

    private static Map<String, Object> stats(Path out) throws Exception {
        return Json.readMap(Files.readString(out.resolve("stats.json")));
    }

    private static long number(Object map, String... keys) {
        Object v = map;
        for (String k : keys) {
            v = ((Map<?, ?>) v).get(k);
        }
        return ((Number) v).longValue();
    }

    private static List<String> rows(String sql) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder row = new StringBuilder();
                for (int i = 1; i <= n; i++) {
                    row.append(i > 1 ? " | " : "").append(rs.getString(i));
                }
                out.add(row.toString());
            }
        }
        return out;
    }

    @Test
    void everyFormatConvertsAndEveryBadRecordIsRejectedWithItsReason() throws Exception {
        Path out = work.resolve("sft");
        Cli.Capture c = Cli.Capture.run("sft-data", "--input", inputs.toString() + "/*.json*", "--input", qa.toString(),
                "--output", out.toString(), LOCAL);
        assertEquals(0, c.code(), c.out() + c.err());
        Cli.assertCounts(out, true);
        Map<String, Object> stats = stats(out);
        long qaRows = Cli.query("SELECT count(*) FROM read_parquet('" + qa.resolve("data") + "/*.parquet')");
        assertEquals(15 + qaRows, number(stats, "rows_in"));
        assertEquals(8 + qaRows, number(stats, "rows_out"));

        String rejected = "read_parquet('" + out.resolve("rejected") + "/*.parquet')";
        Map<String, String> reasons = new TreeMap<>();
        for (String r : rows("SELECT regexp_extract(file, '[^/]*$'), record, stage, reason FROM " + rejected)) {
            String[] p = r.split(" \\| ");
            reasons.put(p[0] + " " + p[1], p[2] + "/" + p[3]);
        }
        assertEquals(Map.of(
                "alpaca.jsonl line:3", "sft_data/empty_assistant_turn",
                "alpaca.jsonl line:4", "sft_data/unreadable",
                "alpaca.jsonl line:5", "sft_data/duplicate_id",
                "sharegpt.json line:2", "sft_data/roles_out_of_order",
                "sharegpt.json line:3", "sft_data/unknown_role",
                "openai.jsonl line:2", "sft_data/no_assistant_turn",
                "pc.jsonl.gz line:3", "sft_data/unreadable"), reasons);
        assertEquals(Map.of("sft_data", Map.of("duplicate_id", 1L, "empty_assistant_turn", 1L, "no_assistant_turn", 1L,
                "roles_out_of_order", 1L, "unknown_role", 1L, "unreadable", 2L)), normalise(stats.get("rejected")));

        // per format: records read as each, and rows kept
        Map<?, ?> formats = (Map<?, ?>) stats.get("formats");
        assertEquals(6, number(formats, "alpaca", "rows_in") + number(formats, "unknown", "rows_in") - 1);
        assertEquals(3, number(formats, "alpaca", "rows_out"));
        assertEquals(1, number(formats, "sharegpt", "rows_out"));
        assertEquals(2 + qaRows, number(formats, "openai", "rows_out"), "the contract is OpenAI chat");
        assertEquals(2, number(formats, "prompt_completion", "rows_out"));
        assertEquals(2, number(formats, "unknown", "rows_in"), "not JSON, and a record of no known format");
        assertEquals(formats, ((Map<?, ?>) Json.readMap(Files.readString(out.resolve("manifest.json"))).get("counts")).get("formats"));

        String data = "read_parquet('" + out.resolve("data") + "/*.parquet')";
        assertEquals(Map.of("id", "VARCHAR", "messages", "STRUCT(\"role\" VARCHAR, \"content\" VARCHAR)[]",
                "source", "VARCHAR", "split", "VARCHAR", "score", "DOUBLE"), Cli.schema(out.resolve("data")));
        assertEquals(qaRows, Cli.query("SELECT count(*) FROM " + data + " WHERE source = 'bios_qa' AND id LIKE 'person-%'"),
                "contract rows keep their ids and sources");
        assertEquals(List.of("Be brief. | hi | Hello!"), rows("SELECT messages[1].content, messages[2].content, "
                + "messages[3].content FROM " + data + " WHERE id = 'sg-1'"));
        assertEquals(List.of("test | 4.5 | in"), rows("SELECT split, score, source FROM " + data
                + " WHERE messages[2].content = 'Blue'"));
        assertEquals(List.of("Two parts"), rows("SELECT messages[1].content FROM " + data
                + " WHERE messages[2].content = 'One answer.'"));
        assertEquals(List.of("5"), rows("SELECT len(messages) FROM " + data + " WHERE messages[1].role = 'system' "
                + "AND source = 'in' AND id NOT LIKE 'sg-%'"), "multi-turn with its system turn; a glob's input is named after its folder");
        assertEquals(0, Cli.query("SELECT count(*) - count(DISTINCT id) FROM " + data), "ids are unique");
        assertEquals(0, Cli.query("SELECT count(*) FROM " + data + " WHERE messages[-1].role <> 'assistant'"));

        // the output is what tokenize packs: every row a conversation, none invalid
        Path packed = work.resolve("sft-packed");
        Cli.Capture p = Cli.Capture.run("tokenize", "--input", out.toString(), "--tokenizer", tok.toString(),
                "--output", packed.toString(), "--set", "pack.context_length=96", LOCAL);
        assertEquals(0, p.code(), p.out() + p.err());
        Map<String, Object> packStats = stats(packed);
        assertEquals(8 + qaRows, number(packStats, "conversations"));
        assertEquals(0, number(packStats, "conversations_invalid"));
        assertEquals(number(packStats, "rows_out"), Cli.query("SELECT count(*) FROM read_parquet('" + packed.resolve("data")
                + "/*/*.parquet') WHERE list_sum(loss_mask) > 0"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Long>> normalise(Object rejected) {
        Map<String, Map<String, Long>> out = new TreeMap<>();
        ((Map<String, Map<String, Number>>) rejected).forEach((stage, reasons) -> {
            Map<String, Long> r = new TreeMap<>();
            reasons.forEach((reason, n) -> r.put(reason, n.longValue()));
            out.put(stage, r);
        });
        return out;
    }

    @Test
    void theSameRecordsGiveTheSameRowsHoweverTheyAreSplitIntoFiles() throws Exception {
        Path oneFile = Files.createDirectories(work.resolve("split1"));
        Path threeFiles = Files.createDirectories(work.resolve("split3"));
        String[] lines = (ALPACA + OPENAI + PROMPT_COMPLETION).split("\n");
        Files.writeString(oneFile.resolve("all.jsonl"), String.join("\n", lines) + "\n");
        for (int f = 0; f < 3; f++) {
            StringBuilder part = new StringBuilder();
            for (int i = lines.length - 1 - f; i >= 0; i -= 3) {
                part.append(lines[i]).append('\n');
            }
            Files.writeString(threeFiles.resolve("part-" + f + ".jsonl"), part);
        }
        List<List<String>> outputs = new ArrayList<>();
        for (Path in : List.of(oneFile, threeFiles)) {
            Path out = work.resolve("same-" + in.getFileName());
            Cli.Capture c = Cli.Capture.run("sft-data", "--input", "chat=" + in, "--output", out.toString(),
                    "--set", "spark.sql.shuffle.partitions=" + (in == oneFile ? 1 : 5), LOCAL);
            assertEquals(0, c.code(), c.out() + c.err());
            Cli.assertCounts(out, true);
            outputs.add(rows("SELECT id, source, split, score, to_json(messages) FROM read_parquet('" + out.resolve("data")
                    + "/*.parquet') ORDER BY id"));
        }
        assertEquals(7, outputs.get(0).size());
        assertEquals(outputs.get(0), outputs.get(1));
        assertTrue(outputs.get(0).stream().allMatch(r -> r.contains(" | chat | ")), "the input's name is the source");
    }

    @Test
    void inputsMixByWeightWithinTheirCapsTheSameForTheSameSeed() throws Exception {
        Path big = Files.createDirectories(work.resolve("arith"));
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 500; i++) {
            lines.append("{\"instruction\": \"Add ").append(i).append(" and 7.\", \"output\": \"").append(i + 7).append("\"}\n");
        }
        Files.writeString(big.resolve("arith.jsonl"), lines);
        long qaRows = Cli.query("SELECT count(*) FROM read_parquet('" + qa.resolve("data") + "/*.parquet')");

        List<List<String>> ids = new ArrayList<>();
        for (String seed : List.of("1", "1", "2")) {
            Path out = work.resolve("mix-" + ids.size());
            Cli.Capture c = Cli.Capture.run("sft-data", "--input", "arith=" + big, "--input", "qa=" + qa,
                    "--input", "chat=" + inputs.resolve("openai.jsonl"), "--output", out.toString(),
                    "--set", "sft.mix.sources.arith.weight=0.7", "--set", "sft.mix.sources.qa.weight=0.2",
                    "--set", "sft.mix.sources.chat.weight=0.1", "--set", "sft.mix.sources.arith.cap=300",
                    "--set", "sft.mix.seed=" + seed, LOCAL);
            assertEquals(0, c.code(), c.out() + c.err());
            Cli.assertCounts(out, true);
            String data = "read_parquet('" + out.resolve("data") + "/*.parquet')";
            Map<?, ?> mix = (Map<?, ?>) stats(out).get("mix");
            long total = number(mix, "rows");
            assertEquals(total, Cli.query("SELECT count(*) FROM " + data));
            // realised shares within one row of the weights, read from the data itself
            long arith = Cli.query("SELECT count(*) FROM " + data + " WHERE source = 'arith'");
            long fromQa = Cli.query("SELECT count(*) FROM " + data + " WHERE source = 'bios_qa'");
            long chat = Cli.query("SELECT count(*) FROM " + data + " WHERE source = 'chat'");
            assertEquals(total, arith + fromQa + chat);
            assertTrue(Math.abs(arith - 0.7 * total) <= 1 && Math.abs(fromQa - 0.2 * total) <= 1
                    && Math.abs(chat - 0.1 * total) <= 1, arith + " " + fromQa + " " + chat + " of " + total);
            assertTrue(arith <= 300, "the cap");
            assertEquals(arith, number(mix, "sources", "arith", "rows"));
            assertEquals(fromQa, number(mix, "sources", "qa", "rows"));
            assertEquals(qaRows, number(mix, "sources", "qa", "available"));
            // chat has 2 valid rows at a tenth: it sizes the mix at 20 rows
            assertEquals(20, total);
            Map<?, ?> rejected = (Map<?, ?>) ((Map<?, ?>) stats(out).get("rejected")).get("sft_mix");
            assertEquals(500 + qaRows + 2 - total, number(rejected, "over_cap") + number(rejected, "over_weight"));
            assertEquals(200, number(rejected, "over_cap"), "rows past arith's cap of 300");
            ids.add(rows("SELECT id FROM " + data + " ORDER BY id"));
        }
        assertEquals(ids.get(0), ids.get(1), "the same seed picks the same rows");
        assertNotEquals(ids.get(0), ids.get(2), "another seed picks others");
    }

    @Test
    void badUsageIsExit2AndNoInputExit3() throws Exception {
        Cli.Capture format = Cli.Capture.run("sft-data", "--input", inputs.toString(), "--output",
                work.resolve("bad1").toString(), "--format", "csv", LOCAL);
        assertEquals(2, format.code());
        assertTrue(format.err().contains("sft.format"), format.err());
        Cli.Capture mix = Cli.Capture.run("sft-data", "--input", "a=" + inputs.resolve("alpaca.jsonl"), "--output",
                work.resolve("bad2").toString(), "--set", "sft.mix.sources.b.weight=1", LOCAL);
        assertEquals(2, mix.code());
        assertTrue(mix.err().contains("sft.mix.sources.b"), mix.err());
        Path text = Files.writeString(work.resolve("notes.txt"), "hello\n");
        Cli.Capture txt = Cli.Capture.run("sft-data", "--input", text.toString(), "--output",
                work.resolve("bad3").toString(), LOCAL);
        assertEquals(2, txt.code());
        assertTrue(txt.err().contains("notes.txt"), txt.err());
        Cli.Capture none = Cli.Capture.run("sft-data", "--input", work.resolve("nothing-here").toString(), "--output",
                work.resolve("bad4").toString(), LOCAL);
        assertEquals(3, none.code(), none.err());
    }

    @Test
    void tokenizeReplaysAShareOfPretrainingWindowsWithAFullLossMask() throws Exception {
        Path sft = work.resolve("qa-only");
        assertEquals(0, Cli.Capture.run("sft-data", "--input", qa.toString(), "--output", sft.toString(), LOCAL).code());
        Path pre = work.resolve("pre-packed");
        Cli.Capture p = Cli.Capture.run("tokenize", "--input", work.resolve("bios").toString(), "--tokenizer", tok.toString(),
                "--output", pre.toString(), "--set", "pack.context_length=48", LOCAL);
        assertEquals(0, p.code(), p.out() + p.err());
        long preTrain = number(stats(pre), "windows_train");

        List<List<String>> runs = new ArrayList<>();
        for (int run = 0; run < 2; run++) {
            Path out = work.resolve("replayed-" + run);
            Cli.Capture t = Cli.Capture.run("tokenize", "--input", sft.toString(), "--tokenizer", tok.toString(),
                    "--replay", pre.toString(), "--output", out.toString(), "--set", "pack.context_length=48",
                    "--set", "sft.mix.replay_fraction=0.1", LOCAL);
            assertEquals(0, t.code(), t.out() + t.err());
            Map<String, Object> stats = stats(out);
            long sftTrain = number(stats, "windows_train");
            long replayed = number(stats, "replay", "windows");
            assertEquals(Math.min(preTrain, Math.round(0.1 / 0.9 * sftTrain)), replayed);
            assertTrue(replayed > 0);
            assertTrue(Math.abs((double) replayed / (sftTrain + replayed) - 0.1) <= 1.0 / (sftTrain + replayed),
                    replayed + " of " + (sftTrain + replayed));
            String windows = "read_parquet('" + out.resolve("data") + "/*/*.parquet', hive_partitioning = 1)";
            String pretrain = "read_parquet('" + pre.resolve("data") + "/*/*.parquet', hive_partitioning = 1)";
            assertEquals(number(stats, "rows_out"), Cli.query("SELECT count(*) FROM " + windows));
            assertEquals(replayed, Cli.query("SELECT count(*) FROM " + windows + " WHERE conversation_id LIKE 'pretrain-%' "
                    + "AND split = 'train' AND list_sum(loss_mask) = 48 AND len(loss_mask) = 48"),
                    "replayed windows train on every token, in the train split only");
            assertEquals(replayed, Cli.query("SELECT count(*) FROM " + windows + " w JOIN " + pretrain
                    + " p ON w.conversation_id = 'pretrain-' || p.window_id WHERE w.tokens = p.tokens AND p.split = 'train'"),
                    "each is a pretraining window as it was packed");
            assertEquals(0, Cli.query("SELECT count(*) FROM " + windows + " WHERE conversation_id NOT LIKE 'pretrain-%' "
                    + "AND list_sum(loss_mask) = 48"), "conversations keep their masks");
            assertEquals(number(stats, "rows_out"), Cli.query("SELECT count(DISTINCT window_id) FROM " + windows
                    + " WHERE window_id < " + number(stats, "rows_out")), "one order over all windows");
            runs.add(rows("SELECT window_id, conversation_id FROM " + windows + " ORDER BY window_id"));
        }
        assertEquals(runs.get(0), runs.get(1), "the same seed replays the same windows in the same order");

        Cli.Capture length = Cli.Capture.run("tokenize", "--input", sft.toString(), "--tokenizer", tok.toString(),
                "--replay", pre.toString(), "--output", work.resolve("replay-bad").toString(),
                "--set", "pack.context_length=64", LOCAL);
        assertEquals(2, length.code());
        assertTrue(length.err().contains("pack.context_length"), length.err());
    }
}
