package ai.refinery.jobs;

import ai.refinery.rephrasing.RephraseStage;
import ai.refinery.rephrasing.model.ModelRephraseSettings;
import ai.refinery.rephrasing.model.TextGenerator;
import ai.refinery.training.generate.Completion;
import ai.refinery.training.generate.Generator;
import ai.refinery.training.generate.LoadedModel;
import ai.refinery.training.generate.ModelBundle;
import ai.refinery.training.generate.PromptTooLongException;
import ai.refinery.training.generate.SamplingSettings;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;

import java.util.ArrayList;
import java.util.List;

/**
 * Model-backed rephrasing with one of our own models loaded in every executor, without a server: the bridge
 * between the rephrasing module's generator interface and the training module's decoder (the two modules do
 * not know each other). Each prompt is sampled with the request settings and seed alone, as {@code refinery serve}
 * does, so a row's text is the same whichever way the model is reached.
 */
final class LocalModelGenerator implements TextGenerator {
    private final Generator generator;
    private final SamplingSettings sampling;
    private final String modelId;

    private LocalModelGenerator(Generator generator, SamplingSettings sampling, String modelId) {
        this.generator = generator;
        this.sampling = sampling;
        this.modelId = modelId;
    }

    /** The rephrase stage's view of a loaded model: its id, manifest entry and generator source. */
    static RephraseStage.LocalModel model(SparkSession spark, LoadedModel loaded) {
        Source source = source(spark, loaded);
        return new RephraseStage.LocalModel() {
            @Override
            public Source source() {
                return source;
            }

            @Override
            public String modelId() {
                return loaded.files().modelId();
            }

            @Override
            public java.util.Map<String, Object> describe() {
                return loaded.describe();
            }
        };
    }

    /** A source that ships the model once per executor (a broadcast) and loads it once per partition. */
    static Source source(SparkSession spark, LoadedModel loaded) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<byte[]> model = jsc.broadcast(loaded.modelZip());
        Broadcast<String> tokenizer = jsc.broadcast(loaded.tokenizerJson());
        String modelId = loaded.files().modelId();
        return settings -> new LocalModelGenerator(
                ModelBundle.fromBytes(model.value(), tokenizer.value(), modelId).newGenerator(), sampling(settings), modelId);
    }

    /** The sampling of an OpenAI-style request made from these settings (no top-k, no stop strings). */
    static SamplingSettings sampling(ModelRephraseSettings s) {
        return new SamplingSettings(s.maxTokens(), s.temperature(), 0, s.topP(), s.seed(), List.of());
    }

    @Override
    public String modelId() {
        return modelId;
    }

    /** Prompts run one after another: a graph serves one forward pass at a time. */
    @Override
    public synchronized List<Generated> generate(List<String> prompts) {
        List<Generated> out = new ArrayList<>(prompts.size());
        for (String prompt : prompts) {
            try {
                Completion c = generator.complete(prompt, sampling);
                out.add(Generated.ok(c.text(), c.finishReason().wire(), 1));
            } catch (PromptTooLongException e) {
                out.add(Generated.failed(e.getMessage(), 1));
            } catch (RuntimeException e) {
                out.add(Generated.failed(String.valueOf(e), 1));
            }
        }
        return out;
    }
}
