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
import com.typesafe.config.Config;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The knowledge stage: {@link KnowledgeJob} over question/answer rows; data/ holds one row per question with its
 * SliCK category, rejected/ the rows that could not be judged ({@code rows_in = rows_out + rows_rejected}).
 */
public final class KnowledgeStage implements Stage {
    private final String model;
    private final List<String> inputs;

    public KnowledgeStage(String model, List<String> inputs) {
        this.model = model;
        this.inputs = List.copyOf(inputs);
    }

    @Override
    public void check(Config config) {
        KnowledgeSettings.from(config);
    }

    @Override
    public StageResult run(StageContext context) {
        KnowledgeSettings settings = KnowledgeSettings.from(context.config());
        LoadedModel loaded = LoadedModel.read("--model", model, context.hadoop());
        SparkSession spark = context.spark();
        Output out = context.output();
        out.manifest().put("model", loaded.describe());
        Dataset<Row> qa;
        try {
            qa = KnowledgeJob.questions(ParquetInputs.read(spark, inputs));
        } catch (IllegalArgumentException e) {
            throw new ConfigError("--input: " + e.getMessage(), e);
        }
        List<KnowledgePrompts.Qa> pool = KnowledgeJob.pool(qa, settings);
        if (pool.size() <= settings.shots()) {
            throw ConfigError.forKey(KnowledgeSettings.SECTION + ".shots", "each prompt takes " + settings.shots()
                    + " exemplars from other rows, but the input has only " + pool.size() + " usable rows");
        }
        // Few rows, each costly: spread them over every task slot (Spark packs small files into one partition).
        qa = qa.repartition(spark.sparkContext().defaultParallelism());
        KnowledgeJob.Result result = KnowledgeJob.run(spark, qa, loaded.modelZip(), loaded.tokenizerJson(),
                loaded.files().modelId(), settings, pool);
        try {
            out.writeParquet(Layout.DATA, result.data());
            out.writeParquet(Layout.REJECTED, result.rejected());
            long rowsIn = result.all().count();
            Counts counts = Counts.of(rowsIn, result.data().count(), RejectedRows.byStageAndReason(result.rejected()));
            Map<String, Object> figures = new LinkedHashMap<>(result.summary());
            figures.put("exemplar_pool", pool.size());
            figures.put("continuations_per_question", settings.continuations());
            return StageResult.of(counts, figures, "knowledge: " + counts.rowsOut() + " questions judged, "
                    + counts.rowsRejected() + " rejected: " + figures.get("categories"));
        } finally {
            result.release();
        }
    }
}
