package ai.refinery.jobs;

import ai.refinery.core.output.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** bios -> rephrase -> tokenizer -> tokenize through the command line, each output read back with DuckDB. */
class PipelineCommandsTest {
    static final String LOCAL = "--set=spark.master=local[2]";

    @TempDir
    static Path work;

    @BeforeAll
    static void generateBios() {
        Cli.Capture bios = Cli.Capture.run("bios", "--people", "120", "--seed", "7", "--output", work.resolve("bios").toString(), LOCAL);
        assertEquals(0, bios.code(), bios.out() + bios.err());
    }

    @Test
    void biosWritesDocumentsAndEntities() throws Exception {
        Path bios = work.resolve("bios");
        assertTrue(Files.exists(bios.resolve("_SUCCESS")));
        assertEquals(120, Cli.query("SELECT count(*) FROM read_parquet('" + bios.resolve("data") + "/*.parquet')"));
        assertEquals(120, Cli.query("SELECT count(DISTINCT full_name) FROM read_parquet('" + bios.resolve("entities") + "/*.parquet')"));
        Map<String, Object> manifest = Json.readMap(Files.readString(bios.resolve("manifest.json")));
        assertEquals(7, ((Number) ((Map<?, ?>) ((Map<?, ?>) manifest.get("configuration")).get("bios")).get("seed")).intValue());
        Cli.assertCounts(bios, false);
        assertEquals(0, ((Number) ((Map<?, ?>) manifest.get("counts")).get("rows_in")).intValue(), "a generator reads nothing");
    }

    @Test
    void templateRephrasingMultipliesEachPerson() throws Exception {
        Path out = work.resolve("multi3");
        Cli.Capture r = Cli.Capture.run("rephrase", "--input", work.resolve("bios").toString(), "--output", out.toString(),
                "--set", "rephrase.multi=3", "--set", "rephrase.permute=true", LOCAL);
        assertEquals(0, r.code(), r.out() + r.err());
        assertEquals(360, Cli.query("SELECT count(*) FROM read_parquet('" + out.resolve("data") + "/*.parquet')"));
        assertEquals(120, Cli.query("SELECT count(DISTINCT person_id) FROM read_parquet('" + out.resolve("data") + "/*.parquet')"));
        assertEquals(0, Cli.query("SELECT count(*) FROM read_parquet('" + out.resolve("rejected") + "/*.parquet')"));
        Cli.assertCounts(out, false);
        assertEquals(120, ((Number) Json.readMap(Files.readString(out.resolve("stats.json"))).get("rows_in")).intValue());
    }

    @Test
    void qaConversionWritesChatRowsWithAPersonLevelSplit() throws Exception {
        Path out = work.resolve("qa");
        Cli.Capture r = Cli.Capture.run("rephrase", "--input", work.resolve("bios").toString(), "--output", out.toString(),
                "--set", "rephrase.rephraser=qa", LOCAL);
        assertEquals(0, r.code(), r.out() + r.err());
        String data = "read_parquet('" + out.resolve("data") + "/*.parquet')";
        assertEquals(720, Cli.query("SELECT count(*) FROM " + data), "six questions per person");
        assertEquals(0, Cli.query("SELECT count(*) FROM (SELECT person_id FROM " + data
                + " GROUP BY person_id HAVING count(DISTINCT split) > 1)"), "no person in both splits");
        assertEquals(720, Cli.query("SELECT count(*) FROM " + data + " WHERE messages[-1].role = 'assistant'"));
        Cli.assertCounts(out, false);
    }

    @Test
    void unknownRephraserIsExit2() {
        Cli.Capture r = Cli.Capture.run("rephrase", "--input", work.resolve("bios").toString(), "--output",
                work.resolve("bad").toString(), "--set", "rephrase.rephraser=poetry", LOCAL);
        assertEquals(2, r.code());
        assertTrue(r.err().contains("rephrase.rephraser"), r.err());
    }

    @Test
    void tokenizerThenPacking() throws Exception {
        Path tok = work.resolve("tok");
        Cli.Capture t = Cli.Capture.run("tokenizer", "--input", work.resolve("bios").toString(), "--output", tok.toString(),
                "--set", "tokenizer.vocab_size=400", LOCAL);
        assertEquals(0, t.code(), t.out() + t.err());
        assertTrue(Files.readString(tok.resolve("tokenizer.json")).contains("<|endoftext|>"));
        Cli.assertCounts(tok, false);

        Path packed = work.resolve("packed");
        Cli.Capture p = Cli.Capture.run("tokenize", "--input", work.resolve("bios").toString(), "--tokenizer", tok.toString(),
                "--output", packed.toString(), "--set", "pack.context_length=32", "--set", "pack.validation_fraction=0.1", LOCAL);
        assertEquals(0, p.code(), p.out() + p.err());
        Map<String, Object> stats = Json.readMap(Files.readString(packed.resolve("stats.json")));
        long windows = Cli.query("SELECT count(*) FROM read_parquet('" + packed.resolve("data") + "/*/*.parquet')");
        assertTrue(windows > 0);
        assertEquals(((Number) stats.get("windows")).longValue(), windows);
        assertEquals(0, Cli.query("SELECT count(*) FROM read_parquet('" + packed.resolve("data")
                + "/*/*.parquet') WHERE len(tokens) <> 33"));
        assertTrue(Files.isDirectory(packed.resolve("data/split=validation")));
        Cli.assertCounts(packed, false);
        assertEquals(120, ((Number) stats.get("rows_in")).intValue(), "documents read");
    }

    @Test
    void missingTokenizerIsExit2() {
        Cli.Capture p = Cli.Capture.run("tokenize", "--input", work.resolve("bios").toString(), "--tokenizer",
                work.resolve("nope").toString(), "--output", work.resolve("p2").toString(), LOCAL);
        assertEquals(2, p.code());
        assertTrue(p.err().contains("--tokenizer"), p.err());
    }

    @Test
    void dedupOfRephrasedBiographiesKeepsOnePerExactCopy() throws Exception {
        // multi3 of the same people twice over gives every biography an exact copy
        Path twice = work.resolve("dedup-in");
        Cli.Capture r = Cli.Capture.run("rephrase", "--input", work.resolve("bios").toString(), "--output", twice.toString(),
                "--set", "rephrase.multi=2", LOCAL);
        assertEquals(0, r.code(), r.out() + r.err());
        Path copy = work.resolve("dedup-copy");
        try (var c = java.sql.DriverManager.getConnection("jdbc:duckdb:"); var s = c.createStatement()) {
            Files.createDirectories(copy);
            s.execute("COPY (SELECT id || '-copy' AS id, text FROM read_parquet('" + twice.resolve("data")
                    + "/*.parquet') UNION ALL SELECT id, text FROM read_parquet('" + twice.resolve("data")
                    + "/*.parquet')) TO '" + copy.resolve("docs.parquet") + "' (FORMAT PARQUET)");
        }
        Path out = work.resolve("deduped");
        Cli.Capture d = Cli.Capture.run("dedup", "--input", copy.toString(), "--output", out.toString(), LOCAL);
        assertEquals(0, d.code(), d.out() + d.err());
        String data = "read_parquet('" + out.resolve("data") + "/*.parquet')";
        String rejected = "read_parquet('" + out.resolve("rejected") + "/*.parquet')";
        long kept = Cli.query("SELECT count(*) FROM " + data);
        long removed = Cli.query("SELECT count(*) FROM " + rejected);
        assertEquals(480, kept + removed, "accounting closes");
        assertTrue(kept <= 240, "every copy is removed: " + kept);
        assertEquals(0, Cli.query("SELECT count(*) FROM " + data + " WHERE id LIKE '%-copy'"), "smallest id survives");
        assertEquals(480, Cli.query("SELECT sum(cluster_size) FROM " + data));
        assertEquals(0, Cli.query("SELECT count(*) FROM " + rejected + " r LEFT JOIN " + data
                + " d ON r.duplicate_of = d.id WHERE d.id IS NULL OR r.stage <> 'dedup'"), "duplicate_of names a kept row");
        Cli.assertCounts(out, true);
        Map<String, Object> stats = Json.readMap(Files.readString(out.resolve("stats.json")));
        assertEquals(480, ((Number) stats.get("rows_in")).intValue());
        assertTrue(((Map<?, ?>) ((Map<?, ?>) stats.get("rejected")).get("dedup")).containsKey("exact-duplicate"), stats.toString());
    }

    @Test
    void pretrainATinyModelThenRefuseToClobberItsRun() throws Exception {
        Path tok = work.resolve("tok-pretrain");
        assertEquals(0, Cli.Capture.run("tokenizer", "--input", work.resolve("bios").toString(), "--output", tok.toString(),
                "--set", "tokenizer.vocab_size=300", LOCAL).code());
        Path packed = work.resolve("packed-pretrain");
        Cli.Capture p = Cli.Capture.run("tokenize", "--input", work.resolve("bios").toString(), "--tokenizer", tok.toString(),
                "--output", packed.toString(), "--conf", "../conf/model-tiny.conf",
                "--set", "pack.validation_fraction=0.1", LOCAL);
        assertEquals(0, p.code(), p.out() + p.err());

        Path run = work.resolve("run");
        // The vocabulary size (300) and context length (32) come from the packed data.
        String[] args = {"pretrain", "--data", packed.toString(), "--output", run.toString(), "--conf", "../conf/model-tiny.conf",
                "--set", "train.max_steps=10", "--set", "train.workers=2", "--set", "train.batch_size_per_worker=4",
                "--set", "train.averaging_frequency=5", "--set", "train.eval_every=5", "--set", "train.checkpoint_every=5",
                "--set", "train.warmup_steps=2", LOCAL};
        Cli.Capture t = Cli.Capture.run(args);
        assertEquals(0, t.code(), t.out() + t.err());
        for (String name : new String[] {"model.json", "tokenizer.json", "manifest.json", "checkpoints", "metrics"}) {
            assertTrue(Files.exists(run.resolve(name)), name);
        }
        String metrics = "read_parquet('" + run.resolve("metrics") + "/*.parquet')";
        assertEquals(2, Cli.query("SELECT count(*) FROM " + metrics));
        assertEquals(1, Cli.query("SELECT count(*) FROM " + metrics + " WHERE step = 10 AND val_loss IS NOT NULL AND tokens_per_s > 0"));
        Map<String, Object> manifest = Json.readMap(Files.readString(run.resolve("manifest.json")));
        assertEquals(10, ((Number) ((Map<?, ?>) manifest.get("counts")).get("steps")).intValue());
        assertEquals(300, ((Number) ((Map<?, ?>) manifest.get("model")).get("vocab_size")).intValue());
        assertEquals(32, ((Number) ((Map<?, ?>) manifest.get("model")).get("context_length")).intValue());

        // The run folder is a model for generate as it is.
        Cli.Capture generated = Cli.Capture.run("generate", "--model", run.toString(), "--prompt", "She was born",
                "--set", "generate.max_tokens=5");
        assertEquals(0, generated.code(), generated.out() + generated.err());
        assertTrue(!generated.out().isBlank() && generated.err().contains("finish_reason"), generated.out() + generated.err());

        Cli.Capture again = Cli.Capture.run(args);
        assertEquals(2, again.code(), "a run folder with checkpoints needs --resume or --overwrite");
        assertTrue(again.err().contains("--resume"), again.err());

        Cli.Capture wrongVocab = Cli.Capture.run("pretrain", "--data", packed.toString(), "--output", work.resolve("run2").toString(),
                "--conf", "../conf/model-tiny.conf", "--set", "model.vocab_size=8192", LOCAL);
        assertEquals(2, wrongVocab.code());
        assertTrue(wrongVocab.err().contains("model.vocab_size") && wrongVocab.err().contains("300"), wrongVocab.err());
        Cli.Capture wrongContext = Cli.Capture.run("pretrain", "--data", packed.toString(), "--output", work.resolve("run3").toString(),
                "--set", "model.context_length=16", LOCAL);
        assertEquals(2, wrongContext.code());
        assertTrue(wrongContext.err().contains("model.context_length") && wrongContext.err().contains("32"), wrongContext.err());
    }

    @Test
    void instructionRowsPackWithALossMaskAndTrainThroughTheSameLoop() throws Exception {
        Path qa = work.resolve("qa-sft");
        assertEquals(0, Cli.Capture.run("rephrase", "--input", work.resolve("bios").toString(), "--output", qa.toString(),
                "--set", "rephrase.rephraser=qa", LOCAL).code());
        Path tok = work.resolve("tok-sft");
        assertEquals(0, Cli.Capture.run("tokenizer", "--input", work.resolve("bios").toString(), "--output", tok.toString(),
                "--set", "tokenizer.vocab_size=300", LOCAL).code());
        assertTrue(Files.exists(tok.resolve("tokenizer_config.json")), "the chat template for Hugging Face loaders");
        Path packed = work.resolve("packed-sft");
        Cli.Capture p = Cli.Capture.run("tokenize", "--input", qa.toString(), "--tokenizer", tok.toString(),
                "--output", packed.toString(), "--set", "pack.context_length=64", LOCAL);
        assertEquals(0, p.code(), p.out() + p.err());
        String windows = "read_parquet('" + packed.resolve("data") + "/*/*.parquet', hive_partitioning = 1)";
        Map<String, Object> stats = Json.readMap(Files.readString(packed.resolve("stats.json")));
        assertEquals(720, ((Number) stats.get("conversations")).intValue());
        assertEquals(((Number) stats.get("rows_out")).longValue(), Cli.query("SELECT count(*) FROM " + windows));
        assertEquals(0, Cli.query("SELECT count(*) FROM " + windows + " WHERE len(loss_mask) <> 64 OR len(tokens) <> 65"));
        assertEquals(0, Cli.query("SELECT count(*) FROM " + windows + " WHERE list_sum(loss_mask) = 0"),
                "every window trains on its answer");
        assertEquals(((Number) stats.get("tokens_target")).longValue(),
                Cli.query("SELECT sum(list_sum(loss_mask)) FROM " + windows));

        Path run = work.resolve("run-sft");
        Cli.Capture t = Cli.Capture.run("pretrain", "--data", packed.toString(), "--output", run.toString(),
                "--set", "model.width=32", "--set", "model.layers=2", "--set", "model.heads=2", "--set", "train.max_steps=4",
                "--set", "train.workers=2", "--set", "train.batch_size_per_worker=4", "--set", "train.eval_every=2",
                "--set", "train.warmup_steps=1", LOCAL);
        assertEquals(0, t.code(), t.out() + t.err());
        assertTrue(Files.exists(run.resolve("tokenizer_config.json")));
        String metrics = "read_parquet('" + run.resolve("metrics") + "/*.parquet')";
        assertEquals(2, Cli.query("SELECT count(*) FROM " + metrics + " WHERE val_loss IS NOT NULL AND loss > 0"));
    }
}
