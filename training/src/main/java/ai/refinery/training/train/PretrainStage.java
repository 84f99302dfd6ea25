package ai.refinery.training.train;

import ai.refinery.core.config.ConfigError;
import ai.refinery.core.stage.StageContext;
import ai.refinery.training.model.ModelSettings;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigRenderOptions;

import java.io.IOException;
import java.util.Map;

/**
 * Pretraining as a stage (see {@link TrainStage}): a freshly initialised model trained on packed windows. The
 * vocabulary size and context length come from the data (its tokenizer.json and windows) unless the user set
 * them; a set value that disagrees with the data is exit 2 naming both.
 */
public final class PretrainStage extends TrainStage {

    /**
     * @param data         the tokenize output folder (or its data/ folder)
     * @param userSettings what the user set (--conf and --set, without the defaults), to tell a set value from a
     *                     default
     */
    public PretrainStage(String data, Config userSettings) {
        super(data, userSettings);
    }

    @Override
    public void check(Config config) {
        ModelSettings.from(config);
        TrainSettings.from(config);
    }

    @Override
    protected Plan plan(StageContext context, PackedData packed) throws IOException {
        Config config = context.config();
        ModelSettings model = fromData(ModelSettings.from(config), packed);
        return new Plan(model, TrainSettings.from(config), null,
                model.toConfig().root().render(ConfigRenderOptions.concise()), packed.tokenizerJson(),
                packed.tokenizerConfigJson(), Map.of(), Map.of());
    }

    private ModelSettings fromData(ModelSettings configured, PackedData packed) throws IOException {
        ModelSettings model = configured;
        Integer tokenizerVocab = packed.tokenizerVocab();
        if (tokenizerVocab != null) {
            if (userSettings.hasPath("model.vocab_size") && configured.vocabSize() != tokenizerVocab) {
                throw ConfigError.forKey("model.vocab_size", "is " + configured.vocabSize() + " but the data was packed "
                        + "with a " + tokenizerVocab + "-token tokenizer (--data " + data + "); leave it unset or set "
                        + "model.vocab_size=" + tokenizerVocab);
            }
            model = model.withVocabSize(tokenizerVocab);
        }
        int context = packed.contextLength();
        if (context >= 0) {
            if (userSettings.hasPath("model.context_length") && configured.contextLength() != context) {
                throw ConfigError.forKey("model.context_length", "is " + configured.contextLength() + " but the data "
                        + "was packed into windows of " + context + " + 1 tokens (pack.context_length = " + context
                        + ", --data " + data + "); leave it unset or set model.context_length=" + context);
            }
            model = model.withContextLength(context);
        }
        return model;
    }
}
