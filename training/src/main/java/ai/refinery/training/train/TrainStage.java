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
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.deeplearning4j.nn.graph.ComputationGraph;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.size;

/**
 * What pretraining and fine-tuning share as stages: packed windows (the output of tokenize) in, a run folder out
 * (model.json, tokenizer.json, tokenizer_config.json, checkpoints/, metrics/, stats.json, manifest.json), through
 * the one {@link TrainingLoop}. A subclass only says how the model, the training settings and the starting
 * weights follow from the settings and the data ({@link #plan}).
 */
public abstract class TrainStage implements Stage {
    /** The --data option as given. */
    protected final String data;
    /** What the user set (--conf and --set, without the defaults), to tell a set value from a default. */
    protected final Config userSettings;

    protected TrainStage(String data, Config userSettings) {
        this.data = data;
        this.userSettings = userSettings;
    }

    /** The packed data as read: its windows and the tokenizer files beside them (null where absent). */
    protected record PackedData(Path folder, Path windowsDir, Dataset<Row> windows, String tokenizerJson,
                                String tokenizerConfigJson, FileSystem fs) {

        /** Tokens per window minus one (the context length they were packed for), or -1 without windows. */
        public int contextLength() {
            Row first = windows.select(size(col("tokens"))).limit(1).collectAsList().stream().findFirst().orElse(null);
            return first == null ? -1 : first.getInt(0) - 1;
        }

        /** The vocabulary size of the tokenizer the data was packed with, or null without its tokenizer.json. */
        public Integer tokenizerVocab() throws IOException {
            return tokenizerJson == null ? null
                    : BpeTokenizer.fromJson(tokenizerJson, new Path(folder, Layout.TOKENIZER_JSON).toString()).vocabSize();
        }

        /** A text file of the data folder, or null when there is none. */
        public String readOrNull(String name) throws IOException {
            Path p = new Path(folder, name);
            return fs.exists(p) ? read(fs, p) : null;
        }
    }

    /**
     * How a run trains: the model, the loop's settings, the starting weights (null: a fresh initialisation), the
     * files written beside the checkpoints, and what the manifest and stats.json record beyond the common figures.
     */
    protected record Plan(ModelSettings model, TrainSettings train, ComputationGraph initial, String modelJson,
                          String tokenizerJson, String tokenizerConfigJson, Map<String, Object> manifest,
                          Map<String, Object> figures) {
    }

    /** Decides the run from the settings and the data; a combination that cannot work is a {@link ConfigError}. */
    protected abstract Plan plan(StageContext context, PackedData data) throws IOException;

    @Override
    public Kind kind() {
        return Kind.RUN_FOLDER;
    }

    @Override
    public StageResult run(StageContext context) throws IOException {
        Path dataDir = new Path(data);
        FileSystem fs = dataDir.getFileSystem(context.hadoop());
        if (!fs.exists(dataDir)) {
            throw new NoInputError("--data " + data + ": no such folder");
        }
        Path windowsDir = fs.exists(new Path(dataDir, Layout.DATA)) ? new Path(dataDir, Layout.DATA) : dataDir;
        Path tokenizerFile = new Path(dataDir, Layout.TOKENIZER_JSON);
        Path tokenizerConfig = new Path(dataDir, BpeTokenizer.CONFIG_FILE);
        PackedData packed = new PackedData(dataDir, windowsDir, context.spark().read().parquet(windowsDir.toString()),
                fs.exists(tokenizerFile) ? read(fs, tokenizerFile) : null,
                fs.exists(tokenizerConfig) ? read(fs, tokenizerConfig) : null, fs);
        Plan plan = plan(context, packed);
        TrainSettings train = plan.train();

        RunFolder run = context.runFolder();
        run.writeText(Layout.MODEL_JSON, plan.modelJson());
        if (plan.tokenizerJson() != null) {
            run.writeText(Layout.TOKENIZER_JSON, plan.tokenizerJson());
        }
        if (plan.tokenizerConfigJson() != null) {
            run.writeText(BpeTokenizer.CONFIG_FILE, plan.tokenizerConfigJson()); // the chat template travels with it
        }
        context.manifest().put("data", windowsDir.toString()).put("model", plan.model().toConfig().root().unwrapped());
        plan.manifest().forEach(context.manifest()::put);
        TrainResult result;
        try {
            result = TrainingLoop.onPackedWindows(context.spark(), packed.windows(), plan.model(), train, run.target(),
                    Integer.MAX_VALUE, plan.initial());
        } catch (IllegalArgumentException e) {
            throw new ConfigError("--data " + data + ": " + e.getMessage(), e);
        }
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("steps", result.step());
        figures.put("tokens", result.tokens());
        figures.put("resumed_from_step", result.resumedFromStep());
        figures.put("targets_trained", result.targets());
        figures.put("train_seconds", Math.round(result.trainSeconds() * 1000) / 1000.0);
        if (!result.metrics().isEmpty()) {
            MetricRow last = result.metrics().get(result.metrics().size() - 1);
            figures.put("loss", last.loss());
            figures.put("val_loss", last.valLoss());
            if (last.valAccuracy() != null) {
                figures.put("val_accuracy", last.valAccuracy());
            }
        }
        if (result.start() != null) {
            figures.put("start_val_loss", result.start().loss());
            figures.put("start_val_accuracy", result.start().accuracy());
        }
        figures.put("last_checkpoint", result.lastCheckpoint());
        figures.putAll(plan.figures());
        long windowsRead = (result.step() - result.resumedFromStep()) * train.workersOr(
                context.spark().sparkContext().defaultParallelism()) * (long) train.batchSizePerWorker();
        String summary = result.step() + " steps, " + result.tokens() + " tokens"
                + (figures.containsKey("loss") ? String.format(", loss %.4f", (Double) figures.get("loss")) : "");
        // A run reads windows and writes a model, not rows: rows_in counts the windows this run trained on.
        return StageResult.of(Counts.of(windowsRead, 0), figures, summary);
    }

    protected static String read(FileSystem fs, Path path) throws IOException {
        try (InputStream in = fs.open(path)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
