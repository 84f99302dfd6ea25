package ai.refinery.training.train;

import ai.refinery.core.config.ConfigError;
import ai.refinery.core.output.Json;
import ai.refinery.core.output.Layout;
import ai.refinery.core.sft.SftSettings;
import ai.refinery.core.stage.StageContext;
import ai.refinery.training.generate.LoadedModel;
import ai.refinery.training.model.GptModel;
import ai.refinery.training.model.ModelSettings;
import ai.refinery.training.pack.PackResult;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValueFactory;

import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.apache.spark.sql.functions.col;

/**
 * Supervised fine-tuning as a stage (see {@link TrainStage}): a trained model (a pretrain run folder, a checkpoint
 * or an exported model) trained further on packed instruction windows, with the loss on the windows' loss mask
 * only, through the same loop as pretraining.
 *
 * <ul>
 *   <li>The model comes from --model: its shape (vocabulary, context length, width, blocks, heads) is read from
 *   the graph; a model.* setting that disagrees is exit 2 naming both. model.dropout may be set for the run.</li>
 *   <li>The data must fit it: packed with a tokenizer of the model's vocabulary (the same tokenizer), into
 *   windows of the model's context length, with a loss_mask column; otherwise exit 2 naming both values.</li>
 *   <li>The parameters start as the model's, the optimizer state fresh; the starting point's validation loss
 *   and accuracy are in stats.json (start_val_loss, start_val_accuracy).</li>
 *   <li>Training settings: {@link SftTraining} (section sft.train over train).</li>
 *   <li>Response tuning is decided when packing (tokenize with sft.train_on = response_only): the data's
 *   stats.json says which targets it holds, recorded as train_on; setting sft.train_on here to something else is
 *   exit 2.</li>
 * </ul>
 */
public final class SftStage extends TrainStage {
    /** Model settings that are the model's shape: taken from --model, never changed by a run. */
    private static final List<String> SHAPE = List.of("vocab_size", "context_length", "width", "layers", "heads",
            "mlp_ratio");

    private final String model;

    /**
     * @param model        the starting model: a run folder, a checkpoint folder or an exported model folder
     * @param data         the tokenize output folder of instruction rows (or its data/ folder)
     * @param userSettings what the user set (--conf and --set, without the defaults)
     */
    public SftStage(String model, String data, Config userSettings) {
        super(data, userSettings);
        this.model = model;
    }

    @Override
    public void check(Config config) {
        ModelSettings.from(config);
        SftSettings.from(config);
        SftTraining.check(config, userSettings);
    }

    @Override
    protected Plan plan(StageContext context, PackedData packed) throws IOException {
        Config config = context.config();
        LoadedModel base = LoadedModel.read("--model", model, context.hadoop());
        ModelSettings baseSettings;
        try {
            baseSettings = GptModel.settingsOf(base.bundle().graph());
        } catch (IllegalArgumentException e) {
            throw new ConfigError("--model " + model + ": " + e.getMessage(), e);
        }
        ModelSettings settings = modelSettings(ModelSettings.from(config), baseSettings);
        checkData(packed, base, settings);
        String trainOn = trainOn(config, packed);

        long trainWindows = packed.windows().where(col("split").equalTo(PackResult.TRAIN)).count();
        int configuredWorkers = SftTraining.trainSection(config, userSettings).getInt("workers");
        int workers = configuredWorkers > 0 ? configuredWorkers
                : Math.max(1, context.spark().sparkContext().defaultParallelism());
        SftTraining.Resolved resolved = SftTraining.resolve(config, userSettings, trainWindows, workers);

        Map<String, Object> baseModel = new LinkedHashMap<>(base.describe());
        String modelJson = settings.toConfig()
                .withValue("base_model", ConfigValueFactory.fromMap(baseModel))
                .root().render(ConfigRenderOptions.concise());
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("base_model", baseModel);
        manifest.put("train", trainSettings(resolved.train()));
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("base_model", base.files().modelId());
        figures.put("train_on", trainOn);
        figures.put("train_windows", trainWindows);
        figures.put("epochs", resolved.epochs());
        figures.put("steps_per_epoch", resolved.stepsPerEpoch());
        figures.put("learning_rate", resolved.train().learningRate());
        return new Plan(settings, resolved.train(), base.bundle().graph(), modelJson, base.tokenizerJson(),
                base.bundle().tokenizer().configJson(), manifest, figures);
    }

    /** The base model's shape; a model.* setting the user gave must agree with it. */
    private ModelSettings modelSettings(ModelSettings configured, ModelSettings base) {
        Map<String, Object> set = configured.toConfig().root().unwrapped();
        Map<String, Object> actual = base.toConfig().root().unwrapped();
        for (String key : SHAPE) {
            if (userSettings.hasPath("model." + key) && !set.get(key).equals(actual.get(key))) {
                throw ConfigError.forKey("model." + key, "is " + set.get(key) + " but the model --model " + model
                        + " has " + actual.get(key) + "; fine-tuning keeps the model's shape: leave it unset");
            }
        }
        return userSettings.hasPath("model.dropout") ? base.withDropout(configured.dropout()) : base;
    }

    private void checkData(PackedData packed, LoadedModel base, ModelSettings settings) throws IOException {
        if (!Arrays.asList(packed.windows().columns()).contains(PackedWindows.LOSS_MASK)) {
            throw new ConfigError("--data " + data + ": the windows have no " + PackedWindows.LOSS_MASK + " column: "
                    + "they are pretraining windows (use pretrain), not packed instruction rows (tokenize on rows with "
                    + "a messages column)");
        }
        Integer dataVocab = packed.tokenizerVocab();
        if (dataVocab != null && dataVocab != settings.vocabSize()) {
            throw new ConfigError("--data " + data + " was packed with a " + dataVocab + "-token tokenizer but the "
                    + "model --model " + model + " has a vocabulary of " + settings.vocabSize()
                    + " tokens: pack the data with the model's tokenizer");
        }
        if (dataVocab != null && !ai.refinery.training.tokenizer.BpeTokenizer.fromJson(packed.tokenizerJson(), data)
                .toJson().equals(base.bundle().tokenizer().toJson())) {
            throw new ConfigError("--data " + data + " was packed with another tokenizer than the model --model "
                    + model + "'s (both have " + dataVocab + " tokens): pack the data with the model's tokenizer");
        }
        int context = packed.contextLength();
        if (context >= 0 && context != settings.contextLength()) {
            throw new ConfigError("--data " + data + " was packed into windows of " + context + " + 1 tokens "
                    + "(pack.context_length = " + context + ") but the model --model " + model + " has a context of "
                    + settings.contextLength() + " tokens: pack with pack.context_length=" + settings.contextLength());
        }
    }

    /** The data's targets (its stats.json's train_on); a different sft.train_on set for this run is exit 2. */
    private String trainOn(Config config, PackedData packed) throws IOException {
        String stats = packed.readOrNull(Layout.STATS);
        Object packedWith = stats == null ? null : Json.readMap(stats).get("train_on");
        String wanted = SftSettings.from(config).trainOn().name().toLowerCase(Locale.ROOT);
        if (packedWith != null && userSettings.hasPath("sft.train_on") && !wanted.equals(packedWith)) {
            throw ConfigError.forKey("sft.train_on", "is " + wanted + " but --data " + data + " was packed with "
                    + "sft.train_on = " + packedWith + "; the targets are chosen when packing: run tokenize with "
                    + "--set sft.train_on=" + wanted);
        }
        return packedWith == null ? "unknown" : packedWith.toString();
    }

    private static Map<String, Object> trainSettings(TrainSettings t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("optimizer", t.optimizer());
        m.put("learning_rate", t.learningRate());
        m.put("min_learning_rate", t.minLearningRate());
        m.put("warmup_steps", t.warmupSteps());
        m.put("max_steps", t.maxSteps());
        m.put("weight_decay", t.weightDecay());
        m.put("batch_size_per_worker", t.batchSizePerWorker());
        m.put("averaging_frequency", t.averagingFrequency());
        m.put("eval_every", t.evalEvery());
        return m;
    }
}
