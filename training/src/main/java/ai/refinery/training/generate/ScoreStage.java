package ai.refinery.training.generate;

import ai.refinery.core.config.ConfigError;
import ai.refinery.core.config.Section;
import ai.refinery.core.outcome.Counts;
import ai.refinery.core.output.Layout;
import ai.refinery.core.output.Output;
import ai.refinery.core.spark.RejectedRows;
import ai.refinery.core.stage.Stage;
import ai.refinery.core.stage.StageContext;
import ai.refinery.core.stage.StageResult;
import ai.refinery.training.tokenizer.ChatTemplate;
import com.typesafe.config.Config;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The score stage: {@link ScoreJob} over prompt/response or instruction rows into a stage output ({@code rows_in}
 * rows = {@code rows_out} scored + {@code rows_rejected}, under stage "score").
 */
public final class ScoreStage implements Stage {
    public static final String SECTION = "score";

    private final String model;
    private final List<String> inputs;
    private final String promptColumn;
    private final String responseColumn;

    public ScoreStage(String model, List<String> inputs, String promptColumn, String responseColumn) {
        this.model = model;
        this.inputs = List.copyOf(inputs);
        this.promptColumn = promptColumn;
        this.responseColumn = responseColumn;
    }

    @Override
    public void check(Config config) {
        batchSize(config);
    }

    /** Rows scored together per forward pass in a partition (score.batch_size; the numbers do not depend on it). */
    private static int batchSize(Config config) {
        return new Section(config, SECTION).intAtLeast("batch_size", 1);
    }

    @Override
    public StageResult run(StageContext context) {
        int batchSize = batchSize(context.config());
        // Loaded once on the driver: a model that cannot be read is a usage error before any task runs.
        LoadedModel loaded = LoadedModel.read("--model", model, context.hadoop());
        Output out = context.output();
        out.manifest().put("model", loaded.describe());
        Dataset<Row> rows = ModelInputs.read(context.spark(), inputs);
        if (Arrays.asList(rows.columns()).contains(ScoreJob.MESSAGES) && !ChatTemplate.supports(loaded.bundle().tokenizer())) {
            throw new ConfigError("--model " + model + ": its tokenizer has no chat markers, so instruction rows "
                    + "(a messages column) cannot be scored under the chat template");
        }
        ScoreJob.Result result = ScoreJob.run(context.spark(), rows, promptColumn, responseColumn, loaded.modelZip(),
                loaded.tokenizerJson(), loaded.files().modelId(), batchSize);
        try {
            out.writeParquet(Layout.DATA, result.data());
            out.writeParquet(Layout.REJECTED, result.rejected());
            Map<String, Object> stats = result.stats();
            Counts counts = Counts.of((Long) stats.get("rows_in"), (Long) stats.get("rows_out"),
                    RejectedRows.byStageAndReason(result.rejected()));
            Map<String, Object> figures = new LinkedHashMap<>();
            stats.forEach((key, v) -> {
                if (!key.startsWith("rows_") && !key.startsWith("rejected.")) {
                    figures.put(key, v);
                }
            });
            figures.put("input", result.chat() ? "messages (last assistant turn under the chat template)"
                    : "prompt/response");
            return StageResult.of(counts, figures, counts.rowsIn() + " rows, " + counts.rowsOut() + " scored ("
                    + stats.get("tokens_scored") + " tokens, mean log-probability "
                    + stats.getOrDefault("logprob_mean", Double.NaN) + "), " + counts.rowsRejected() + " rejected");
        } finally {
            result.release();
        }
    }
}
