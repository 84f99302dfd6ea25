package ai.refinery.jobs;

import ai.refinery.core.config.ConfigError;
import ai.refinery.core.output.Manifest;
import ai.refinery.core.output.Layout;
import ai.refinery.core.spark.SparkSessions;
import ai.refinery.training.model.ModelSettings;
import ai.refinery.training.tokenizer.BpeTokenizer;
import ai.refinery.training.train.RunFolder;
import ai.refinery.training.train.TrainResult;
import ai.refinery.training.train.TrainingLoop;
import ai.refinery.training.train.TrainSettings;
import ai.refinery.training.train.TrainingDivergedException;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigRenderOptions;
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
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.size;

@Command(name = "pretrain", mixinStandardHelpOptions = true,
        description = {"Pretrains the GPT-style decoder on packed windows (the output of 'tokenize') with synchronous "
                + "parameter averaging on Spark (DL4J models and updaters): AdamW, warm-up then cosine learning rate, gradient clipping, validation "
                + "loss and perplexity every train.eval_every steps, checkpoints every train.checkpoint_every steps.",
                "The vocabulary size and context length come from the data (its tokenizer.json and windows) unless set.",
                "The run folder holds model.json (the model settings), tokenizer.json, checkpoints/step-N/ "
                        + "(model.zip with the optimizer state, state.json with step, tokens and data position), "
                        + "metrics/ (Parquet: step, tokens, loss, val_loss, lr, tokens_per_s) and manifest.json."},
        footer = {"%nExamples:",
                "  refinery pretrain --data out/packed --output runs/small --conf conf/model-small.conf",
                "  refinery pretrain --data out/packed --output runs/small --resume --set train.max_steps=4000"})
final class PretrainCommand implements Callable<Integer> {
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
        TrainSettings train = TrainSettings.from(config);
        ModelSettings configured = ModelSettings.from(config);
        SparkSession spark = SparkSessions.create("pretrain", config);
        Manifest manifest = new Manifest("pretrain", spec.commandLine().getParseResult().originalArgs(), config);

        Path dataDir = new Path(data);
        FileSystem dataFs = dataDir.getFileSystem(spark.sparkContext().hadoopConfiguration());
        if (!dataFs.exists(dataDir)) {
            throw new ai.refinery.core.config.NoInputError("--data " + data + ": no such folder");
        }
        Path windowsDir = dataFs.exists(new Path(dataDir, Layout.DATA)) ? new Path(dataDir, Layout.DATA) : dataDir;
        Path tokenizerFile = new Path(dataDir, RunFolder.TOKENIZER_JSON);
        String tokenizerJson = dataFs.exists(tokenizerFile) ? read(dataFs, tokenizerFile) : null;
        Dataset<Row> windows = spark.read().parquet(windowsDir.toString());
        ModelSettings model = fromData(configured, tokenizerJson == null ? null
                : BpeTokenizer.fromJson(tokenizerJson, tokenizerFile.toString()).vocabSize(), windows);

        RunFolder run = new RunFolder(output, spark.sparkContext().hadoopConfiguration());
        if (run.hasCheckpoints() && !resume) {
            if (!overwrite) {
                throw new ConfigError("--output " + output + ": the run folder has checkpoints; pass --resume to continue "
                        + "or --overwrite to start over");
            }
            run.clear();
        }
        run.write(RunFolder.MODEL_JSON, model.toConfig().root().render(ConfigRenderOptions.concise()));
        if (tokenizerJson != null) {
            run.write(RunFolder.TOKENIZER_JSON, tokenizerJson);
        }

        TrainResult result;
        try {
            result = TrainingLoop.onPackedWindows(spark, windows, model, train, run, Integer.MAX_VALUE);
        } catch (TrainingDivergedException e) {
            manifest.put("outcome", "diverged: " + e.getMessage());
            run.write(RunFolder.MANIFEST, manifest.finish());
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
        manifest.put("data", windowsDir.toString()).put("model", model.toConfig().root().unwrapped())
                .put("counts", counts).put("outcome", "finished");
        run.write(RunFolder.MANIFEST, manifest.finish());
        System.out.println("pretrain: " + result.step() + " steps, " + result.tokens() + " tokens"
                + (counts.containsKey("loss") ? ", loss " + String.format("%.4f", (Double) counts.get("loss")) : "")
                + " -> " + run.uri());
        return Refinery.EXIT_OK;
    }

    /**
     * The model settings with the vocabulary size of the data's tokenizer and the context length of its windows,
     * unless set; a set value that disagrees with the data is a configuration error naming both.
     */
    private ModelSettings fromData(ModelSettings configured, Integer tokenizerVocab, Dataset<Row> windows) {
        ModelSettings model = configured;
        if (tokenizerVocab != null) {
            if (configOptions.sets("model.vocab_size") && configured.vocabSize() != tokenizerVocab) {
                throw ConfigError.forKey("model.vocab_size", "is " + configured.vocabSize() + " but the data was packed "
                        + "with a " + tokenizerVocab + "-token tokenizer (--data " + data + "); leave it unset or set "
                        + "model.vocab_size=" + tokenizerVocab);
            }
            model = model.withVocabSize(tokenizerVocab);
        }
        Row first = windows.select(size(col("tokens"))).limit(1).collectAsList().stream().findFirst().orElse(null);
        if (first != null) {
            int context = first.getInt(0) - 1;
            if (configOptions.sets("model.context_length") && configured.contextLength() != context) {
                throw ConfigError.forKey("model.context_length", "is " + configured.contextLength() + " but the data "
                        + "was packed into windows of " + context + " + 1 tokens (pack.context_length = " + context
                        + ", --data " + data + "); leave it unset or set model.context_length=" + context);
            }
            model = model.withContextLength(context);
        }
        return model;
    }

    private static String read(FileSystem fs, Path path) throws IOException {
        try (var in = fs.open(path)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

}
