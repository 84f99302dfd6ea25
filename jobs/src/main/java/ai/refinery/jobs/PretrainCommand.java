package ai.refinery.jobs;

import ai.refinery.core.config.ConfigError;
import ai.refinery.core.output.Manifest;
import ai.refinery.core.output.Layout;
import ai.refinery.core.spark.SparkSessions;
import ai.refinery.training.model.ModelSettings;
import ai.refinery.training.tokenizer.BpeTokenizer;
import ai.refinery.training.train.PretrainResult;
import ai.refinery.training.train.Pretrainer;
import ai.refinery.training.train.TrainSettings;
import ai.refinery.training.train.TrainingDivergedException;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigRenderOptions;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "pretrain", mixinStandardHelpOptions = true,
        description = {"Pretrains the GPT-style decoder on packed windows (the output of 'tokenize') with DL4J's Spark "
                + "parameter-averaging trainer: AdamW, warm-up then cosine learning rate, gradient clipping, validation "
                + "loss and perplexity every train.eval_every steps, checkpoints every train.checkpoint_every steps.",
                "The run folder holds model.json (the model settings), tokenizer.json, checkpoints/step-N/ "
                        + "(model.zip with the optimizer state, state.json with step, tokens and data position), "
                        + "metrics/ (Parquet: step, tokens, loss, val_loss, lr, tokens_per_s) and manifest.json."},
        footer = {"%nExamples:",
                "  refinery pretrain --data out/packed --output runs/small --conf conf/model-small.conf",
                "  refinery pretrain --data out/packed --output runs/small --resume --set train.max_steps=4000"})
final class PretrainCommand implements Callable<Integer> {
    static final String MODEL_JSON = "model.json";

    @Option(names = "--data", required = true, paramLabel = "DIR",
            description = "Packed windows: the output folder of 'refinery tokenize' (or its data/ folder).")
    String data;

    @Option(names = "--output", required = true, paramLabel = "RUN_DIR", description = "The run folder (any Hadoop FS URI).")
    String output;

    @Option(names = "--resume", description = "Continue from the newest checkpoint in the run folder.")
    boolean resume;

    @Option(names = "--overwrite", description = "Delete an existing run folder and start over.")
    boolean overwrite;

    @Mixin
    ConfigOptions configOptions;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        Config config = configOptions.config(List.of("train.resume=" + resume));
        ModelSettings model = ModelSettings.from(config);
        TrainSettings train = TrainSettings.from(config);
        SparkSession spark = SparkSessions.create("pretrain", config);
        Manifest manifest = new Manifest("pretrain", spec.commandLine().getParseResult().originalArgs(), config);

        Path dataDir = new Path(data);
        FileSystem dataFs = dataDir.getFileSystem(spark.sparkContext().hadoopConfiguration());
        if (!dataFs.exists(dataDir)) {
            throw new ai.refinery.core.config.NoInputError("--data " + data + ": no such folder");
        }
        Path windowsDir = dataFs.exists(new Path(dataDir, Layout.DATA)) ? new Path(dataDir, Layout.DATA) : dataDir;
        Path tokenizerFile = new Path(dataDir, Layout.TOKENIZER_JSON);
        String tokenizerJson = dataFs.exists(tokenizerFile) ? read(dataFs, tokenizerFile) : null;
        if (tokenizerJson != null) {
            int vocab = BpeTokenizer.fromJson(tokenizerJson, tokenizerFile.toString()).vocabSize();
            if (vocab != model.vocabSize()) {
                throw ConfigError.forKey("model.vocab_size", "is " + model.vocabSize() + " but the data was packed with a "
                        + vocab + "-token tokenizer; set model.vocab_size=" + vocab);
            }
        }

        Path runDir = new Path(output);
        FileSystem fs = runDir.getFileSystem(spark.sparkContext().hadoopConfiguration());
        if (fs.exists(new Path(runDir, "checkpoints")) && !resume) {
            if (!overwrite) {
                throw new ConfigError("--output " + output + ": the run folder has checkpoints; pass --resume to continue "
                        + "or --overwrite to start over");
            }
            fs.delete(runDir, true);
        }
        fs.mkdirs(runDir);
        write(fs, new Path(runDir, MODEL_JSON), config.getConfig("model").root().render(ConfigRenderOptions.concise()));
        if (tokenizerJson != null) {
            write(fs, new Path(runDir, Layout.TOKENIZER_JSON), tokenizerJson);
        }

        Dataset<Row> windows = spark.read().parquet(windowsDir.toString());
        PretrainResult result;
        try {
            result = Pretrainer.run(spark, windows, model, train, fs.makeQualified(runDir).toString());
        } catch (TrainingDivergedException e) {
            manifest.put("outcome", "diverged: " + e.getMessage());
            write(fs, new Path(runDir, Layout.MANIFEST), manifest.finish());
            throw e;
        } catch (IllegalArgumentException e) {
            throw new ConfigError("--data " + data + ": " + e.getMessage(), e);
        }
        Map<String, Object> counts = new LinkedHashMap<>();
        counts.put("steps", result.step());
        counts.put("tokens", result.tokens());
        counts.put("resumed_from_step", result.resumedFromStep());
        if (!result.metrics().isEmpty()) {
            var last = result.metrics().get(result.metrics().size() - 1);
            counts.put("loss", last.loss());
            counts.put("val_loss", last.valLoss());
        }
        counts.put("last_checkpoint", result.lastCheckpoint());
        manifest.put("data", windowsDir.toString()).put("counts", counts).put("outcome", "finished");
        write(fs, new Path(runDir, Layout.MANIFEST), manifest.finish());
        System.out.println("pretrain: " + result.step() + " steps, " + result.tokens() + " tokens"
                + (counts.containsKey("loss") ? ", loss " + String.format("%.4f", (Double) counts.get("loss")) : "")
                + " -> " + fs.makeQualified(runDir));
        return Refinery.EXIT_OK;
    }

    private static String read(FileSystem fs, Path path) throws IOException {
        try (var in = fs.open(path)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static void write(FileSystem fs, Path path, String content) {
        try (FSDataOutputStream out = fs.create(path, true)) {
            out.write(content.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + path, e);
        }
    }
}
