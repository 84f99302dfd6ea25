package ai.refinery.training.train;

import ai.refinery.core.config.ConfigError;
import ai.refinery.core.config.NoInputError;
import ai.refinery.core.outcome.Counts;
import ai.refinery.core.output.Layout;
import ai.refinery.core.output.RunFolder;
import ai.refinery.core.stage.Stage;
import ai.refinery.core.stage.StageContext;
import ai.refinery.core.stage.StageResult;
import ai.refinery.training.model.ModelSettings;
import ai.refinery.training.tokenizer.BpeTokenizer;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigRenderOptions;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.size;

/**
 * Pretraining as a stage: packed windows (the output of tokenize) in, a run folder out (model.json,
 * tokenizer.json, checkpoints/, metrics/, stats.json, manifest.json), through the {@link TrainingLoop}. The
 * vocabulary size and context length come from the data (its tokenizer.json and windows) unless the user set
 * them; a set value that disagrees with the data is exit 2 naming both.
 */
public final class PretrainStage implements Stage {
    private final String data;
    private final Config userSettings;

    /**
     * @param data         the tokenize output folder (or its data/ folder)
     * @param userSettings what the user set (--conf and --set, without the defaults), to tell a set value from a
     *                     default
     */
    public PretrainStage(String data, Config userSettings) {
        this.data = data;
        this.userSettings = userSettings;
    }

    @Override
    public Kind kind() {
        return Kind.RUN_FOLDER;
    }

    @Override
    public void check(Config config) {
        ModelSettings.from(config);
        TrainSettings.from(config);
    }

    @Override
    public StageResult run(StageContext context) throws IOException {
        Config config = context.config();
        TrainSettings train = TrainSettings.from(config);
        Path dataDir = new Path(data);
        FileSystem fs = dataDir.getFileSystem(context.hadoop());
        if (!fs.exists(dataDir)) {
            throw new NoInputError("--data " + data + ": no such folder");
        }
        Path windowsDir = fs.exists(new Path(dataDir, Layout.DATA)) ? new Path(dataDir, Layout.DATA) : dataDir;
        Path tokenizerFile = new Path(dataDir, Layout.TOKENIZER_JSON);
        String tokenizerJson = fs.exists(tokenizerFile) ? read(fs, tokenizerFile) : null;
        Dataset<Row> windows = context.spark().read().parquet(windowsDir.toString());
        ModelSettings model = fromData(ModelSettings.from(config), tokenizerJson == null ? null
                : BpeTokenizer.fromJson(tokenizerJson, tokenizerFile.toString()).vocabSize(), windows);

        RunFolder run = context.runFolder();
        run.writeText(Layout.MODEL_JSON, model.toConfig().root().render(ConfigRenderOptions.concise()));
        if (tokenizerJson != null) {
            run.writeText(Layout.TOKENIZER_JSON, tokenizerJson);
        }
        Path tokenizerConfig = new Path(dataDir, BpeTokenizer.CONFIG_FILE);
        if (fs.exists(tokenizerConfig)) {
            run.writeText(BpeTokenizer.CONFIG_FILE, read(fs, tokenizerConfig)); // the chat template travels with it
        }
        context.manifest().put("data", windowsDir.toString()).put("model", model.toConfig().root().unwrapped());
        TrainResult result;
        try {
            result = TrainingLoop.onPackedWindows(context.spark(), windows, model, train, run.target(), Integer.MAX_VALUE);
        } catch (IllegalArgumentException e) {
            throw new ConfigError("--data " + data + ": " + e.getMessage(), e);
        }
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("steps", result.step());
        figures.put("tokens", result.tokens());
        figures.put("resumed_from_step", result.resumedFromStep());
        if (!result.metrics().isEmpty()) {
            MetricRow last = result.metrics().get(result.metrics().size() - 1);
            figures.put("loss", last.loss());
            figures.put("val_loss", last.valLoss());
        }
        figures.put("last_checkpoint", result.lastCheckpoint());
        long windowsRead = (result.step() - result.resumedFromStep()) * train.workersOr(
                context.spark().sparkContext().defaultParallelism()) * (long) train.batchSizePerWorker();
        String summary = result.step() + " steps, " + result.tokens() + " tokens"
                + (figures.containsKey("loss") ? String.format(", loss %.4f", (Double) figures.get("loss")) : "");
        // A run reads windows and writes a model, not rows: rows_in counts the windows this run trained on.
        return StageResult.of(Counts.of(windowsRead, 0), figures, summary);
    }

    private ModelSettings fromData(ModelSettings configured, Integer tokenizerVocab, Dataset<Row> windows) {
        ModelSettings model = configured;
        if (tokenizerVocab != null) {
            if (userSettings.hasPath("model.vocab_size") && configured.vocabSize() != tokenizerVocab) {
                throw ConfigError.forKey("model.vocab_size", "is " + configured.vocabSize() + " but the data was packed "
                        + "with a " + tokenizerVocab + "-token tokenizer (--data " + data + "); leave it unset or set "
                        + "model.vocab_size=" + tokenizerVocab);
            }
            model = model.withVocabSize(tokenizerVocab);
        }
        Row first = windows.select(size(col("tokens"))).limit(1).collectAsList().stream().findFirst().orElse(null);
        if (first != null) {
            int context = first.getInt(0) - 1;
            if (userSettings.hasPath("model.context_length") && configured.contextLength() != context) {
                throw ConfigError.forKey("model.context_length", "is " + configured.contextLength() + " but the data "
                        + "was packed into windows of " + context + " + 1 tokens (pack.context_length = " + context
                        + ", --data " + data + "); leave it unset or set model.context_length=" + context);
            }
            model = model.withContextLength(context);
        }
        return model;
    }

    private static String read(FileSystem fs, Path path) throws IOException {
        try (InputStream in = fs.open(path)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
