package ai.refinery.training.analysis;

import ai.refinery.core.config.ConfigError;
import ai.refinery.core.outcome.Counts;
import ai.refinery.core.output.Layout;
import ai.refinery.core.output.Output;
import ai.refinery.core.spark.ParquetInputs;
import ai.refinery.core.spark.RejectedRows;
import ai.refinery.core.stage.Stage;
import ai.refinery.core.stage.StageContext;
import ai.refinery.core.stage.StageResult;
import ai.refinery.training.generate.LoadedModel;
import ai.refinery.training.tokenizer.ChatTemplate;
import com.typesafe.config.Config;
import org.apache.spark.sql.SparkSession;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The token-shift stage: {@link TokenShiftJob} over a Parquet table of prompts; data/ holds one row per emitted
 * token, rejected/ the prompts that could not be scored, stats.json the summary ({@code rows_in} prompts,
 * {@code rows_out} token rows, {@code rows_rejected} prompts).
 */
public final class TokenShiftStage implements Stage {
    private final String base;
    private final String aligned;
    private final List<String> inputs;
    private final String promptColumn;

    public TokenShiftStage(String base, String aligned, List<String> inputs, String promptColumn) {
        this.base = base;
        this.aligned = aligned;
        this.inputs = List.copyOf(inputs);
        this.promptColumn = promptColumn;
    }

    @Override
    public void check(Config config) {
        TokenShiftSettings.from(config);
    }

    @Override
    public StageResult run(StageContext context) {
        TokenShiftSettings settings = TokenShiftSettings.from(context.config());
        LoadedModel b = LoadedModel.read("--base", base, context.hadoop());
        LoadedModel a = LoadedModel.read("--aligned", aligned, context.hadoop());
        String mismatch = TokenShiftJob.tokenizerMismatch(b.bundle().tokenizer(), a.bundle().tokenizer());
        if (mismatch != null) {
            throw new ConfigError("--base and --aligned must share one tokenizer (ranks compare token ids): " + mismatch);
        }
        if (settings.chat() && !ChatTemplate.supports(a.bundle().tokenizer())) {
            throw ConfigError.forKey(TokenShiftSettings.SECTION + ".chat", "the models' tokenizer has no chat markers");
        }
        SparkSession spark = context.spark();
        Output out = context.output();
        out.manifest().put("base_model", b.describe());
        out.manifest().put("aligned_model", a.describe());
        TokenShiftJob.Result result;
        var prompts = ParquetInputs.read(spark, inputs);
        // Few rows, each costly: spread them over every task slot (Spark packs small files into one partition).
        var spread = prompts.repartition(spark.sparkContext().defaultParallelism());
        try {
            result = TokenShiftJob.run(spark, spread, promptColumn,
                    new TokenShiftJob.ModelBytes(b.modelZip(), b.tokenizerJson(), b.files().modelId()),
                    new TokenShiftJob.ModelBytes(a.modelZip(), a.tokenizerJson(), a.files().modelId()), settings);
        } catch (IllegalArgumentException e) {
            throw new ConfigError(e.getMessage(), e);
        }
        try {
            out.writeParquet(Layout.DATA, result.data());
            out.writeParquet(Layout.REJECTED, result.rejected());
            long rowsIn = prompts.count();
            Counts counts = Counts.of(rowsIn, result.data().count(), RejectedRows.byStageAndReason(result.rejected()));
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("prompts_scored", rowsIn - counts.rowsRejected());
            figures.putAll(TokenShiftJob.summary(result.data(), settings));
            @SuppressWarnings("unchecked")
            Map<String, Object> shares = (Map<String, Object>) figures.get("shares");
            Map<String, Object> headline = new LinkedHashMap<>();
            headline.put("prompts_scored", figures.get("prompts_scored"));
            headline.put("shares", shares);
            return new StageResult(counts, figures, headline, "token-shift: " + figures.get("prompts_scored")
                    + " prompts, " + counts.rowsOut() + " tokens: " + shares);
        } finally {
            result.release();
        }
    }
}
