package ai.refinery.rephrasing;

import ai.refinery.core.config.ConfigError;
import ai.refinery.core.config.Section;
import ai.refinery.core.outcome.Counts;
import ai.refinery.core.output.Layout;
import ai.refinery.core.output.Output;
import ai.refinery.core.output.OutputSettings;
import ai.refinery.core.spark.ParquetInputs;
import ai.refinery.core.spark.RejectedRows;
import ai.refinery.core.spark.ShufflePartitions;
import ai.refinery.core.stage.Stage;
import ai.refinery.core.stage.StageContext;
import ai.refinery.core.stage.StageResult;
import ai.refinery.rephrasing.model.ModelRephraseSettings;
import ai.refinery.rephrasing.model.ModelRephraser;
import ai.refinery.rephrasing.model.TextGenerator;
import com.typesafe.config.Config;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The rephrase stage: the rephraser named by {@code rephrase.rephraser}. {@code template} and {@code qa} read entity
 * records ({@code rows_in} = people; {@code rows_out} can be several rows per person), {@code model} reads documents
 * ({@code rows_in} = documents, {@code rows_out} = one row per document and style).
 */
public final class RephraseStage implements Stage {
    public static final String LOCAL_MODEL = "local_model";
    /** With local_model: decode with the rule-based adapter (generate.rules_file). */
    public static final String RULES = "rules";

    /** One of our models, loaded for generating in every executor. */
    public interface LocalModel {
        TextGenerator.Source source();

        String modelId();

        /** The manifest's "model" entry. */
        Map<String, Object> describe();
    }

    /** Loads the model a setting names (it is outside this module: the training module's decoder). */
    @FunctionalInterface
    public interface LocalModelLoader {
        /**
         * @param rules  whether to decode with the rule-based adapter, read from {@code config} (generate.rules_file)
         * @param config the run's settings
         * @throws ConfigError naming {@code setting} when the folder cannot be loaded
         */
        LocalModel load(String setting, String dir, boolean rules, Config config, SparkSession spark);
    }

    private final List<String> inputs;
    private final LocalModelLoader localModels;

    public RephraseStage(List<String> inputs, LocalModelLoader localModels) {
        this.inputs = List.copyOf(inputs);
        this.localModels = localModels;
    }

    private static String rephraser(Config config) {
        return new Section(config, "rephrase").oneOf("rephraser", Set.of("template", "qa", "model"));
    }

    @Override
    public void check(Config config) {
        if (rephraser(config).equals("model")) {
            ModelRephraseSettings.from(config);
            checkRules(config);
        } else {
            RephraseSettings.from(config);
        }
        OutputSettings.files(config);
    }

    @Override
    public StageResult run(StageContext context) {
        Config config = context.config();
        SparkSession spark = context.spark();
        if (rephraser(config).equals("model")) {
            return runModel(context);
        }
        RephraseSettings settings = RephraseSettings.from(config);
        String[] entityPaths = entityPaths(context.hadoop());
        ShufflePartitions.fit(spark, ParquetInputs.bytes(context.hadoop(), List.of(entityPaths)));
        Dataset<Row> people = spark.read().parquet(entityPaths);
        String rephraser = rephraser(config);
        RephraseResult result = rephraser.equals("qa")
                ? QaConverter.run(spark, people, settings)
                : TemplateRephraser.run(spark, people, settings);
        int files = OutputSettings.files(config);
        Output out = context.output();
        out.writeParquet(Layout.DATA, GlobalOrder.forWrite(result.data(),
                files > 0 ? files : spark.sparkContext().defaultParallelism()));
        out.writeParquet(Layout.REJECTED, result.rejected());
        Map<String, Long> stats = result.stats();
        Counts counts = Counts.of(stats.get("people_in"), stats.get("rows_out"),
                RejectedRows.byStageAndReason(result.rejected()));
        return StageResult.of(counts, Map.of("people_used", stats.get("people_used")), rephraser + ": "
                + counts.rowsIn() + " people in, " + counts.rowsOut() + " rows out, " + counts.rowsRejected() + " rejected");
    }

    /** Whether rephrase.model.rules asks for the rule-based adapter; it needs local_model. */
    private static boolean checkRules(Config config) {
        Section section = new Section(config, ModelRephraseSettings.SECTION);
        boolean rules = section.bool(RULES);
        if (rules && section.string(LOCAL_MODEL).isEmpty()) {
            throw ConfigError.forKey(ModelRephraseSettings.SECTION + "." + RULES, "the rule-based adapter runs in our own "
                    + "decoder: it needs " + ModelRephraseSettings.SECTION + "." + LOCAL_MODEL
                    + " (an endpoint decodes with its own sampling)");
        }
        return rules;
    }

    /**
     * Documents (id, text) rewritten in styles by a model: one of ours loaded in every executor when
     * rephrase.model.local_model names it, else the model behind an OpenAI-compatible endpoint.
     */
    private StageResult runModel(StageContext context) {
        Config config = context.config();
        SparkSession spark = context.spark();
        ModelRephraseSettings settings = ModelRephraseSettings.from(config);
        String local = new Section(config, ModelRephraseSettings.SECTION).string(LOCAL_MODEL);
        Dataset<Row> docs = ParquetInputs.read(spark, inputs);
        Output out = context.output();
        ModelRephraser.Result result;
        boolean rules = checkRules(config);
        if (local.isEmpty()) {
            result = ModelRephraser.run(spark, docs, settings);
        } else {
            LocalModel model = localModels.load(ModelRephraseSettings.SECTION + "." + LOCAL_MODEL, local, rules, config,
                    spark);
            out.manifest().put("model", model.describe());
            result = ModelRephraser.run(spark, docs,
                    settings.model().isEmpty() ? settings.withModel(model.modelId()) : settings, model.source());
        }
        try {
            int files = OutputSettings.files(config);
            Dataset<Row> data = result.data();
            out.writeParquet(Layout.DATA, files > 0 ? data.coalesce(files) : data);
            out.writeParquet(Layout.REJECTED, result.rejected());
            Map<String, Long> stats = result.stats();
            Counts counts = Counts.of(stats.get("documents_in"), stats.get("rows_out"),
                    RejectedRows.byStageAndReason(result.rejected()));
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("generations", stats.get("generations"));
            Map<String, Long> byStyle = new LinkedHashMap<>();
            stats.forEach((key, n) -> {
                if (key.startsWith("rows_out.")) {
                    byStyle.put(key.substring("rows_out.".length()), n);
                }
            });
            figures.put("rows_out_by_style", byStyle);
            return StageResult.of(counts, figures, "model: " + counts.rowsIn() + " documents, " + counts.rowsOut()
                    + " rows out, " + counts.rowsRejected() + " rejected");
        } finally {
            result.release();
        }
    }

    /** A bios output folder stands for its entities/; anything else is read as Parquet of entity records. */
    private String[] entityPaths(Configuration conf) {
        List<String> paths = new ArrayList<>();
        for (String spec : inputs) {
            try {
                Path entities = new Path(spec, BiosStage.ENTITIES);
                if (entities.getFileSystem(conf).exists(entities)) {
                    paths.add(entities.toString());
                    continue;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list --input " + spec, e);
            }
            paths.addAll(ParquetInputs.resolve(conf, List.of(spec)));
        }
        return paths.toArray(new String[0]);
    }
}
