package ai.refinery.training.eval;

import ai.refinery.core.config.ConfigError;
import ai.refinery.core.config.Section;
import ai.refinery.core.outcome.Counts;
import ai.refinery.core.output.Layout;
import ai.refinery.core.output.Output;
import ai.refinery.core.spark.ParquetInputs;
import ai.refinery.core.spark.RejectedRows;
import ai.refinery.core.stage.Stage;
import ai.refinery.core.stage.StageContext;
import ai.refinery.core.stage.StageResult;
import ai.refinery.training.generate.LoadedModel;
import com.typesafe.config.Config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The eval-qa stage: greedy answers of a model to question/answer rows ({@link EvalQaJob}), scored by
 * normalised exact match ({@link AnswerMatch}), into a stage output: data/ one row per answered question,
 * rejected/ the rows that could not be asked (stage eval_qa), and in stats.json the accuracy overall and per
 * attribute beside the answer-the-majority baseline. {@code rows_in} (the rows of the chosen split) =
 * {@code rows_out} + {@code rows_rejected}.
 */
public final class EvalQaStage implements Stage {
    public static final String SECTION = "eval_qa";

    private final String model;
    private final List<String> inputs;
    private final String split;

    /** @param split only rows with this split value, or null for every row */
    public EvalQaStage(String model, List<String> inputs, String split) {
        this.model = model;
        this.inputs = List.copyOf(inputs);
        this.split = split;
    }

    private record Settings(int maxTokens, int batchSize, String attributeColumn) {
        static Settings from(Config config) {
            Section s = new Section(config, SECTION);
            String column = s.string("attribute_column");
            if (column.isBlank()) {
                throw ConfigError.forKey(s.key("attribute_column"), "must name a column");
            }
            return new Settings(s.intAtLeast("max_tokens", 1), s.intAtLeast("batch_size", 1), column);
        }
    }

    @Override
    public void check(Config config) {
        Settings.from(config);
    }

    @Override
    public StageResult run(StageContext context) {
        Settings settings = Settings.from(context.config());
        LoadedModel loaded = LoadedModel.read("--model", model, context.hadoop());
        Output out = context.output();
        out.manifest().put("model", loaded.describe()).put("split", split);
        EvalQaJob.Result result;
        try {
            result = EvalQaJob.run(context.spark(), ParquetInputs.read(context.spark(), inputs), loaded.modelZip(),
                    loaded.tokenizerJson(), loaded.files().modelId(), settings.maxTokens(), settings.batchSize(),
                    settings.attributeColumn(), split);
        } catch (IllegalArgumentException e) {
            throw new ConfigError(e.getMessage(), e);
        }
        try {
            out.writeParquet(Layout.DATA, result.data());
            out.writeParquet(Layout.REJECTED, result.rejected());
            Map<String, EvalQaJob.Score> byAttribute = result.byAttribute();
            long rows = 0;
            long correct = 0;
            long majority = 0;
            Map<String, Object> perAttribute = new LinkedHashMap<>();
            for (Map.Entry<String, EvalQaJob.Score> e : byAttribute.entrySet()) {
                EvalQaJob.Score s = e.getValue();
                rows += s.rows();
                correct += s.correct();
                majority += s.majority();
                perAttribute.put(e.getKey(), figures(s));
            }
            EvalQaJob.Score overall = new EvalQaJob.Score(rows, correct, majority);
            Counts counts = Counts.of(rows + result.rejected().count(), rows,
                    RejectedRows.byStageAndReason(result.rejected()));
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("split", split);
            figures.putAll(figures(overall));
            figures.put("per_attribute", perAttribute);
            figures.put("finish_reason", result.finishReasons());
            figures.put("match", "normalised exact match (NFKC, lower case, punctuation and symbols to spaces, "
                    + "articles a/an/the dropped, white space collapsed)");
            return StageResult.of(counts, figures, String.format("%d questions, %d right (accuracy %.4f, majority "
                    + "baseline %.4f), %d rejected", rows, correct, overall.accuracy(), overall.baselineAccuracy(),
                    counts.rowsRejected()));
        } finally {
            result.release();
        }
    }

    private static Map<String, Object> figures(EvalQaJob.Score s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rows", s.rows());
        m.put("correct", s.correct());
        m.put("accuracy", s.accuracy());
        m.put("baseline_accuracy", s.baselineAccuracy());
        return m;
    }
}
