package ai.refinery.jobs;

import ai.refinery.core.output.Json;
import ai.refinery.training.generate.ModelBundle;
import ai.refinery.training.model.GptModel;
import ai.refinery.training.model.PackedPositions;
import ai.refinery.training.train.TrainingExample;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * sft and eval-qa through the command line on real data: biographies pretrain a tiny base model, their QA rows
 * (rephrase qa) are packed and fine-tuned on, and a fine-tuned model answers questions it was trained on.
 */
class SftCommandsTest {
    static final String LOCAL = "--set=spark.master=local[2]";
    static final int CONTEXT = 64;

    @TempDir
    static Path work;

    static Path base;
    static Path packedQa;

    @BeforeAll
    static void pretrainABaseModel() {
        Path bios = work.resolve("bios");
        run("bios", "--people", "40", "--seed", "7", "--output", bios.toString(), LOCAL);
        run("rephrase", "--input", bios.toString(), "--output", work.resolve("qa").toString(),
                "--set", "rephrase.rephraser=qa", LOCAL);
        run("tokenizer", "--input", bios.toString(), "--output", work.resolve("tok").toString(),
                "--set", "tokenizer.vocab_size=300", LOCAL);
        run("tokenize", "--input", bios.toString(), "--tokenizer", work.resolve("tok").toString(),
                "--output", work.resolve("packed-bios").toString(), "--set", "pack.context_length=" + CONTEXT,
                "--set", "pack.validation_fraction=0.1", LOCAL);
        base = work.resolve("base");
        run("pretrain", "--data", work.resolve("packed-bios").toString(), "--output", base.toString(),
                "--set", "model.width=32", "--set", "model.layers=2", "--set", "model.heads=2",
                "--set", "train.max_steps=6", "--set", "train.workers=2", "--set", "train.batch_size_per_worker=4",
                "--set", "train.eval_every=6", "--set", "train.warmup_steps=1", "--set", "train.learning_rate=3e-3",
                "--set", "train.min_learning_rate=3e-4", LOCAL);
        packedQa = work.resolve("packed-qa");
        run("tokenize", "--input", work.resolve("qa").toString(), "--tokenizer", work.resolve("tok").toString(),
                "--output", packedQa.toString(), "--set", "pack.context_length=" + CONTEXT, LOCAL);
    }

    static Cli.Capture run(String... args) {
        Cli.Capture c = Cli.Capture.run(args);
        assertEquals(0, c.code(), String.join(" ", args) + "\n" + c.out() + c.err());
        return c;
    }

    /** The common sft settings of the tests: two workers, 10 steps, evaluations and checkpoints every 5. */
    static String[] sft(Path output, String... more) {
        List<String> args = new ArrayList<>(List.of("sft", "--model", base.toString(), "--data", packedQa.toString(),
                "--output", output.toString(), "--set", "train.workers=2", "--set", "train.batch_size_per_worker=4",
                "--set", "train.max_steps=10", "--set", "sft.train.eval_every=5", "--set", "train.checkpoint_every=5",
                "--set", "train.eval_windows=48", "--set", "sft.train.learning_rate=3e-3", LOCAL));
        args.addAll(List.of(more));
        return args.toArray(new String[0]);
    }

    @Test
    void fineTuningStartsFromTheBaseModelLearnsAndResumesExactly() throws Exception {
        Path sft = work.resolve("sft");
        run(sft(sft));
        Map<String, Object> stats = Json.readMap(Files.readString(sft.resolve("stats.json")));

        // Step 0 is the base model: its masked loss on the first 48 validation windows, computed here on the full
        // window with the graph read from the base run folder.
        double[] expected = maskedLossAndAccuracy(ModelBundle.load(base.toString(), new Configuration()).graph(), 48);
        assertEquals(expected[0], ((Number) stats.get("start_val_loss")).doubleValue(), 1e-4);
        assertEquals(expected[1], ((Number) stats.get("start_val_accuracy")).doubleValue(), 1e-9);

        // The masked validation loss falls, and the metrics carry loss and token accuracy at each evaluation.
        String metrics = "read_parquet('" + sft.resolve("metrics") + "/*.parquet')";
        assertEquals(2, Cli.query("SELECT count(*) FROM " + metrics + " WHERE val_loss IS NOT NULL AND val_accuracy "
                + "BETWEEN 0 AND 1"));
        double last = ((Number) stats.get("val_loss")).doubleValue();
        assertTrue(last < expected[0] - 0.2, "validation loss " + expected[0] + " -> " + last);
        double lastLoss = ((Number) stats.get("loss")).doubleValue();
        assertTrue(Double.isFinite(lastLoss) && lastLoss > 0);
        assertEquals(1.0 * last, queryDouble("SELECT val_loss FROM " + metrics + " WHERE step = 10"), 1e-12);
        assertEquals("all_assistant_turns", stats.get("train_on"));

        // The run folder is a pretrain run folder that names its base model.
        for (String name : new String[] {"model.json", "tokenizer.json", "tokenizer_config.json", "manifest.json",
                "_SUCCESS", "checkpoints/step-000000010/model.zip"}) {
            assertTrue(Files.exists(sft.resolve(name)), name);
        }
        assertEquals(Files.readString(base.resolve("tokenizer.json")), Files.readString(sft.resolve("tokenizer.json")));
        Map<String, Object> model = Json.readMap(Files.readString(sft.resolve("model.json")));
        assertEquals(CONTEXT, ((Number) model.get("context_length")).intValue());
        assertEquals(300, ((Number) model.get("vocab_size")).intValue());
        assertEquals("base/step-000000006", ((Map<?, ?>) model.get("base_model")).get("id"));
        Map<String, Object> manifest = Json.readMap(Files.readString(sft.resolve("manifest.json")));
        assertEquals("base/step-000000006", ((Map<?, ?>) manifest.get("base_model")).get("id"));
        assertEquals(10, ((Number) ((Map<?, ?>) manifest.get("counts")).get("steps")).intValue());
        assertEquals(80L, ((Number) stats.get("rows_in")).longValue(), "10 steps x 2 workers x 4 windows");

        // It is a model for generate as it is, and a chat prompt ends at the end of the answer.
        Cli.Capture generated = run("generate", "--model", sft.toString(), "--prompt",
                "<|user|> What is the birth city of someone?<|end|><|assistant|>", "--set", "generate.max_tokens=8",
                "--set", "generate.temperature=0");
        assertTrue(generated.err().contains("finish_reason"), generated.err());

        // Resume: the folder as a crash after the step-5 checkpoint leaves it, continued, ends where the
        // uninterrupted run ended.
        Path resumed = work.resolve("sft-resumed");
        copy(sft, resumed);
        deleteRecursively(resumed.resolve("checkpoints/step-000000010"));
        Files.delete(resumed.resolve("_SUCCESS"));
        run(sft(resumed, "--resume"));
        Map<String, Object> again = Json.readMap(Files.readString(resumed.resolve("stats.json")));
        assertEquals(5, ((Number) again.get("resumed_from_step")).intValue());
        assertArrayEquals(params(sft.resolve("checkpoints/step-000000010/model.zip")),
                params(resumed.resolve("checkpoints/step-000000010/model.zip")));
        assertEquals(stats.get("val_loss"), again.get("val_loss"));
        assertEquals(stats.get("start_val_loss"), again.get("start_val_loss"));
    }

    @Test
    void dataThatDoesNotFitTheModelIsExit2NamingBoth() {
        // Packed for another context length.
        Path short32 = work.resolve("packed-qa-32");
        run("tokenize", "--input", work.resolve("qa").toString(), "--tokenizer", work.resolve("tok").toString(),
                "--output", short32.toString(), "--set", "pack.context_length=32", LOCAL);
        Cli.Capture context = Cli.Capture.run("sft", "--model", base.toString(), "--data", short32.toString(),
                "--output", work.resolve("bad1").toString(), LOCAL);
        assertEquals(2, context.code(), context.err());
        assertTrue(context.err().contains("32") && context.err().contains("64"), context.err());

        // Packed with another vocabulary.
        run("tokenizer", "--input", work.resolve("bios").toString(), "--output", work.resolve("tok280").toString(),
                "--set", "tokenizer.vocab_size=280", LOCAL);
        Path other = work.resolve("packed-qa-280");
        run("tokenize", "--input", work.resolve("qa").toString(), "--tokenizer", work.resolve("tok280").toString(),
                "--output", other.toString(), "--set", "pack.context_length=" + CONTEXT, LOCAL);
        Cli.Capture vocab = Cli.Capture.run("sft", "--model", base.toString(), "--data", other.toString(),
                "--output", work.resolve("bad2").toString(), LOCAL);
        assertEquals(2, vocab.code(), vocab.err());
        assertTrue(vocab.err().contains("280") && vocab.err().contains("300"), vocab.err());

        // Pretraining windows have no loss mask.
        Cli.Capture plain = Cli.Capture.run("sft", "--model", base.toString(), "--data",
                work.resolve("packed-bios").toString(), "--output", work.resolve("bad3").toString(), LOCAL);
        assertEquals(2, plain.code(), plain.err());
        assertTrue(plain.err().contains("loss_mask"), plain.err());

        // The model's shape is not a setting of fine-tuning; the targets were chosen when packing.
        Cli.Capture width = Cli.Capture.run("sft", "--model", base.toString(), "--data", packedQa.toString(),
                "--output", work.resolve("bad4").toString(), "--set", "model.width=64", LOCAL);
        assertEquals(2, width.code(), width.err());
        assertTrue(width.err().contains("model.width") && width.err().contains("32"), width.err());
        Cli.Capture trainOn = Cli.Capture.run("sft", "--model", base.toString(), "--data", packedQa.toString(),
                "--output", work.resolve("bad5").toString(), "--set", "sft.train_on=response_only", LOCAL);
        assertEquals(2, trainOn.code(), trainOn.err());
        assertTrue(trainOn.err().contains("sft.train_on") && trainOn.err().contains("all_assistant_turns"), trainOn.err());
        Cli.Capture noModel = Cli.Capture.run("sft", "--model", work.resolve("nothing").toString(), "--data",
                packedQa.toString(), "--output", work.resolve("bad6").toString(), LOCAL);
        assertEquals(2, noModel.code(), noModel.err());
        assertTrue(noModel.err().contains("--model"), noModel.err());
    }

    @Test
    @SuppressWarnings("unchecked")
    void evalQaScoresAMemorisedModelsGreedyAnswers() throws Exception {
        // Eight questions with one-word answers in two attributes, a row without an answer, and a test row.
        Path rows = work.resolve("memorise.parquet");
        String[][] qa = {{"Where was Anna born?", "Oslo", "birth_city"}, {"Where was Boris born?", "Lima", "birth_city"},
                {"Where was Chen born?", "Cairo", "birth_city"}, {"Where was Dana born?", "Quito", "birth_city"},
                {"What did Anna study?", "Physics", "major"}, {"What did Boris study?", "Law", "major"},
                {"What did Chen study?", "Music", "major"}, {"What did Dana study?", "Botany", "major"}};
        StringBuilder values = new StringBuilder();
        for (int i = 0; i < qa.length; i++) {
            values.append(String.format("('m-%d', [{'role': 'user', 'content': '%s'}, {'role': 'assistant', "
                    + "'content': '%s'}], 'hand', 'train', '%s'),", i, qa[i][0], qa[i][1], qa[i][2]));
        }
        values.append("('m-bad', [{'role': 'user', 'content': 'Where was Eve born?'}], 'hand', 'train', 'birth_city'),");
        values.append("('m-test', [{'role': 'user', 'content': 'Where was Anna born?'}, {'role': 'assistant', "
                + "'content': 'Oslo'}], 'hand', 'test', 'birth_city')");
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
            s.execute("COPY (SELECT * FROM (VALUES " + values + ") t(id, messages, source, split, attribute)) TO '"
                    + rows + "' (FORMAT PARQUET)");
        }
        Path packed = work.resolve("packed-memorise");
        run("tokenize", "--input", rows.toString(), "--tokenizer", work.resolve("tok").toString(), "--output",
                packed.toString(), "--set", "pack.context_length=" + CONTEXT, LOCAL);
        // Short conversations are packed (the default) several to a window; the model learns each as if alone.
        Map<String, Object> packing = Json.readMap(Files.readString(packed.resolve("stats.json")));
        assertEquals("packed", packing.get("packing"));
        assertTrue(((Number) packing.get("conversations_per_window")).doubleValue() > 1.5, packing.toString());
        Path tuned = work.resolve("sft-memorise");
        run("sft", "--model", base.toString(), "--data", packed.toString(), "--output", tuned.toString(),
                "--set", "train.workers=1", "--set", "train.batch_size_per_worker=8", "--set", "train.max_steps=120",
                "--set", "train.averaging_frequency=20", "--set", "sft.train.learning_rate=1e-2",
                "--set", "sft.train.min_learning_rate=1e-3", "--set", "train.gradient_clip=1.0",
                "--set", "train.checkpoint_every=120", "--set", "sft.train.eval_every=120", LOCAL);

        Path eval = work.resolve("eval-qa");
        run("eval-qa", "--model", tuned.toString(), "--input", rows.toString(), "--output", eval.toString(),
                "--split", "train", "--set", "eval_qa.max_tokens=12", "--set", "eval_qa.batch_size=3", LOCAL);
        Cli.assertCounts(eval, true);
        Map<String, Object> stats = Json.readMap(Files.readString(eval.resolve("stats.json")));
        assertEquals(9L, ((Number) stats.get("rows_in")).longValue(), "the train split only");
        assertEquals(8L, ((Number) stats.get("rows_out")).longValue());
        assertEquals(1L, ((Number) ((Map<?, ?>) ((Map<?, ?>) stats.get("rejected")).get("eval_qa"))
                .get("invalid_conversation")).longValue());
        String data = "read_parquet('" + eval.resolve("data") + "/*.parquet')";
        assertTrue(Cli.schema(eval.resolve("data")).keySet().containsAll(List.of("id", "question", "reference",
                "answer", "correct", "attribute", "finish_reason")));
        long right = Cli.query("SELECT count(*) FROM " + data + " WHERE correct");
        assertTrue(right >= 2, "the model answers some of the questions it was trained on: " + answers(data));
        // correct is the normalised comparison of answer and reference, and the accuracy its share.
        assertEquals(right, Cli.query("SELECT count(*) FROM " + data + " WHERE lower(trim(regexp_replace(answer, "
                + "'[[:punct:]]', '', 'g'))) = lower(reference)"));
        assertEquals(right, ((Number) stats.get("correct")).longValue());
        assertEquals(right / 8.0, ((Number) stats.get("accuracy")).doubleValue(), 1e-12);
        Map<?, ?> perAttribute = (Map<?, ?>) stats.get("per_attribute");
        assertEquals(List.of("birth_city", "major"), new ArrayList<>(perAttribute.keySet()));
        for (String attribute : List.of("birth_city", "major")) {
            Map<?, ?> a = (Map<?, ?>) perAttribute.get(attribute);
            long n = Cli.query("SELECT count(*) FROM " + data + " WHERE correct AND attribute = '" + attribute + "'");
            assertEquals(n, ((Number) a.get("correct")).longValue());
            assertEquals(4L, ((Number) a.get("rows")).longValue());
            assertEquals(n / 4.0, ((Number) a.get("accuracy")).doubleValue(), 1e-12);
            assertEquals(0.25, ((Number) a.get("baseline_accuracy")).doubleValue(), 1e-12, "four different answers");
        }
        assertEquals(Cli.query("SELECT count(*) FROM " + data + " WHERE finish_reason = 'stop'"),
                ((Number) ((Map<String, Object>) stats.get("finish_reason")).getOrDefault("stop", 0)).longValue());
    }

    private static String answers(String data) throws Exception {
        StringBuilder sb = new StringBuilder();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT reference, answer FROM " + data)) {
            while (rs.next()) {
                sb.append(rs.getString(1)).append(" -> ").append(rs.getString(2)).append("; ");
            }
        }
        return sb.toString();
    }

    /** Mean masked cross-entropy and token accuracy of the graph on the first n validation windows. */
    private static double[] maskedLossAndAccuracy(ComputationGraph graph, int n) throws Exception {
        List<int[]> tokens = new ArrayList<>();
        List<int[]> masks = new ArrayList<>();
        int[][] positions = new int[n][];
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT tokens, loss_mask, segment FROM read_parquet('" + packedQa.resolve("data")
                     + "/*/*.parquet', hive_partitioning = 1) WHERE split = 'validation' ORDER BY window_id LIMIT " + n)) {
            while (rs.next()) {
                tokens.add(ints(rs.getArray(1).getArray()));
                masks.add(ints(rs.getArray(2).getArray()));
                // Packed windows: each conversation's positions restart (a window of one counts 0..T-1).
                int[] p = TrainingExample.positions(ints(rs.getArray(3).getArray()), CONTEXT);
                positions[tokens.size() - 1] = p != null ? p : java.util.stream.IntStream.range(0, CONTEXT).toArray();
            }
        }
        assertEquals(n, tokens.size());
        int[][] windows = tokens.toArray(new int[0][]);
        INDArray p = GptModel.output(graph, GptModel.features(windows, CONTEXT, graph.getConfiguration().getDataType()),
                PackedPositions.of(positions));
        double sum = 0;
        long targets = 0;
        long right = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < CONTEXT; j++) {
                if (masks.get(i)[j] == 0) {
                    continue;
                }
                int target = tokens.get(i)[j + 1];
                sum -= Math.log(Math.max(p.getDouble(i, target, j), 1e-10));
                targets++;
                int best = 0;
                for (int v = 1; v < p.size(1); v++) {
                    if (p.getDouble(i, v, j) > p.getDouble(i, best, j)) {
                        best = v;
                    }
                }
                right += best == target ? 1 : 0;
            }
        }
        return new double[] {sum / targets, (double) right / targets};
    }

    private static int[] ints(Object array) {
        Object[] a = (Object[]) array;
        int[] out = new int[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = ((Number) a[i]).intValue();
        }
        return out;
    }

    private static double queryDouble(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            assertTrue(rs.next());
            return rs.getDouble(1);
        }
    }

    private static float[] params(Path modelZip) throws Exception {
        return ModelSerializer.restoreComputationGraph(new File(modelZip.toString()), false).params().toFloatVector();
    }

    private static void copy(Path from, Path to) throws Exception {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path p : paths.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    private static void deleteRecursively(Path dir) throws Exception {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
        assertFalse(Files.exists(dir));
    }
}
