package ai.refinery.jobs;

import ai.refinery.rephrasing.RephraseStage;
import ai.refinery.rephrasing.model.ModelRephraseSettings;
import ai.refinery.rephrasing.model.TextGenerator;
import ai.refinery.training.decode.Completion;
import ai.refinery.training.decode.PromptTooLongException;
import ai.refinery.training.decode.RuleSet;
import ai.refinery.training.decode.SamplingSettings;
import ai.refinery.training.generate.Generator;
import ai.refinery.training.generate.LoadedModel;
import ai.refinery.training.generate.ModelBundle;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;

import java.util.ArrayList;
import java.util.List;

/**
 * Model-backed rephrasing with one of our own models loaded in every executor, without a server: the bridge
 * between the rephrasing module's generator interface and the training module's decoder (the two modules do
 * not know each other). The prompts of one call are decoded together (cached, batched decoding); each is sampled
 * with the request settings and seed alone, as {@code refinery serve} does, so a row's text is the same whichever
 * way the model is reached and whatever it is batched with. With rephrase.model.rules the rule-based adapter
 * (generate.rules_file) joins the sampling chain.
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

    /**
     * The rephrase stage's view of a loaded model: its id, manifest entry and generator source.
     *
     * @param rules the rule-based adapter to decode with, null for none
     */
    static RephraseStage.LocalModel model(SparkSession spark, LoadedModel loaded, RuleSet rules) {
        Source source = source(spark, loaded, rules);
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

    /**
     * A source that ships the model once per executor (a broadcast) and loads it once per partition.
     *
     * @param rules the rule-based adapter to decode with, null for none
     */
    static Source source(SparkSession spark, LoadedModel loaded, RuleSet rules) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<byte[]> model = jsc.broadcast(loaded.modelZip());
        Broadcast<String> tokenizer = jsc.broadcast(loaded.tokenizerJson());
        String modelId = loaded.files().modelId();
        return settings -> new LocalModelGenerator(
                ModelBundle.fromBytes(model.value(), tokenizer.value(), modelId).generator(settings.batchSize()),
                sampling(settings, rules), modelId);
    }

    /** The sampling of an OpenAI-style request made from these settings (no top-k, no stop strings). */
    static SamplingSettings sampling(ModelRephraseSettings s, RuleSet rules) {
        return new SamplingSettings(s.maxTokens(), s.temperature(), 0, s.topP(), s.seed(), List.of()).withRules(rules);
    }

    @Override
    public String modelId() {
        return modelId;
    }

    /** The prompts are decoded together; one that does not fit the context fails alone. */
    @Override
    public synchronized List<Generated> generate(List<String> prompts) {
        Generated[] out = new Generated[prompts.size()];
        List<Integer> index = new ArrayList<>();
        List<int[]> ids = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            int[] p = generator.encode(prompts.get(i));
            if (p.length > generator.contextLength()) {
                out[i] = Generated.failed(new PromptTooLongException(p.length, generator.contextLength()).getMessage(), 1);
            } else {
                index.add(i);
                ids.add(p);
            }
        }
        try {
            List<Completion> done = generator.completeAll(ids, sampling);
            for (int j = 0; j < index.size(); j++) {
                out[index.get(j)] = Generated.ok(done.get(j).text(), done.get(j).finishReason().wire(), 1);
            }
        } catch (RuntimeException e) {
            for (int i : index) {
                out[i] = Generated.failed(String.valueOf(e), 1);
            }
        }
        return List.of(out);
    }
}
