package ai.refinery.training.generate;

import ai.refinery.core.config.ConfigError;
import ai.refinery.core.config.Section;
import ai.refinery.core.outcome.Counts;
import ai.refinery.core.output.Layout;
import ai.refinery.core.output.Output;
import ai.refinery.core.sft.Message;
import ai.refinery.core.spark.RejectedRows;
import ai.refinery.core.stage.Stage;
import ai.refinery.core.stage.StageContext;
import ai.refinery.core.stage.StageResult;
import ai.refinery.training.decode.Completion;
import ai.refinery.training.decode.PromptTooLongException;
import ai.refinery.training.decode.SamplingSettings;
import com.typesafe.config.Config;
import org.apache.spark.sql.SparkSession;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The generate stage. With a prompt: one completion printed to stdout (no Spark, no output folder). With inputs:
 * {@link GenerateJob} over a table of prompts (Parquet or JSON Lines) into a stage output ({@code rows_in} prompts =
 * {@code rows_out} completions + {@code rows_rejected} prompts, under stage "generate"). In chat mode the prompt is
 * one user message, or the inputs' {@code messages} column holds conversations; answers end at {@code <|end|>}.
 */
public final class GenerateStage implements Stage {
    private final String model;
    private final String prompt;
    private final List<String> inputs;
    private final String promptColumn;
    private final boolean chat;

    /** @param prompt one prompt, or null to complete every row of {@code inputs} */
    public GenerateStage(String model, String prompt, List<String> inputs, String promptColumn) {
        this(model, prompt, inputs, promptColumn, false);
    }

    /**
     * @param prompt one prompt (in chat mode a user message), or null to complete every row of {@code inputs}
     * @param chat   prompts are conversations formatted with the chat template; answers end at {@code <|end|>}
     */
    public GenerateStage(String model, String prompt, List<String> inputs, String promptColumn, boolean chat) {
        this.model = model;
        this.prompt = prompt;
        this.inputs = List.copyOf(inputs);
        this.promptColumn = promptColumn;
        this.chat = chat;
    }

    @Override
    public void check(Config config) {
        SamplingSettings.from(config);
        batchSize(config);
    }

    /** Prompts decoded together in a partition (generate.batch_size; the rows do not depend on it). */
    private static int batchSize(Config config) {
        return new Section(config, SamplingSettings.SECTION).intAtLeast("batch_size", 1);
    }

    @Override
    public Kind kind() {
        return prompt != null ? Kind.NONE : Kind.STAGE_OUTPUT;
    }

    @Override
    public boolean usesSpark() {
        return prompt == null;
    }

    @Override
    public StageResult run(StageContext context) {
        SamplingSettings sampling = SamplingSettings.from(context.config());
        int batchSize = batchSize(context.config());
        // Loaded once on the driver: a model that cannot be read is a usage error before any task runs.
        LoadedModel loaded = LoadedModel.read("--model", model, context.hadoop());
        sampling.checkVocabulary(loaded.bundle().vocabSize());
        if (prompt != null) {
            ModelBundle bundle = loaded.bundle();
            Completion c;
            try {
                Generator g = bundle.generator();
                c = chat ? g.completeChats(List.of(List.of(Message.user(prompt))), sampling).get(0)
                        : g.complete(prompt, sampling);
            } catch (PromptTooLongException e) {
                throw new ConfigError("--prompt: " + e.getMessage(), e);
            } catch (IllegalArgumentException e) {
                throw new ConfigError("--chat: " + e.getMessage(), e);
            }
            System.out.println(c.text());
            System.err.println("generate: " + c.promptTokens() + " prompt tokens, " + c.completionTokens()
                    + " generated, finish_reason " + c.finishReason().wire() + " (model " + bundle.modelId() + ")");
            return StageResult.of(Counts.of(1, 1), Map.of(), null);
        }
        SparkSession spark = context.spark();
        Output out = context.output();
        out.manifest().put("model", loaded.describe());
        GenerateJob.Result result;
        try {
            result = GenerateJob.run(spark, ModelInputs.read(spark, inputs), promptColumn, chat, loaded.modelZip(),
                    loaded.tokenizerJson(), loaded.files().modelId(), sampling, batchSize);
        } catch (IllegalArgumentException e) {
            throw new ConfigError(e.getMessage(), e);
        }
        try {
            out.writeParquet(Layout.DATA, result.data());
            out.writeParquet(Layout.REJECTED, result.rejected());
            Map<String, Long> stats = result.stats();
            Counts counts = Counts.of(stats.get("prompts_in"), stats.get("completions_out"),
                    RejectedRows.byStageAndReason(result.rejected()));
            Map<String, Object> figures = new LinkedHashMap<>();
            stats.forEach((key, n) -> {
                if (key.startsWith("finish_reason.") || key.endsWith("_tokens")) {
                    figures.put(key, n);
                }
            });
            return StageResult.of(counts, figures, counts.rowsIn() + " prompts, " + counts.rowsOut() + " completions, "
                    + counts.rowsRejected() + " rejected");
        } finally {
            result.release();
        }
    }
}
