package ai.refinery.jobs;

import ai.refinery.pipeline.config.Section;
import ai.refinery.pipeline.output.StageOutput;
import ai.refinery.pipeline.output.StageRun;
import ai.refinery.pipeline.spark.ParquetInputs;
import ai.refinery.rephrasing.GlobalOrder;
import ai.refinery.rephrasing.QaConverter;
import ai.refinery.rephrasing.RephraseResult;
import ai.refinery.rephrasing.RephraseSettings;
import ai.refinery.rephrasing.TemplateRephraser;
import ai.refinery.rephrasing.model.ModelRephraseSettings;
import ai.refinery.rephrasing.model.ModelRephraser;
import ai.refinery.training.decode.RuleSet;
import com.typesafe.config.Config;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

@Command(name = "rephrase", mixinStandardHelpOptions = true,
        description = {"Rephrases entity records (the entities/ of 'bios') into training data, after Physics of "
                + "Language Models 3.1: the rephraser (setting rephrase.rephraser) is 'template' (multiM biographies, "
                + "permuted sentences, full names: rephrase.multi, rephrase.permute, rephrase.fullname) or 'qa' "
                + "(question/answer conversations in the SFT row format with a person-level train/test split), or 'model' "
                + "(documents with id and text rewritten in the styles of rephrase.model.styles by a language model behind "
                + "an OpenAI-compatible endpoint such as 'refinery serve', or by one of our models loaded in every executor "
                + "(rephrase.model.local_model), checked by rephrase.guards; one row per document "
                + "and style, failures and guard rejections in rejected/).",
                "Output rows are in a seeded global order so that a person's variants never sit together; "
                        + "data/ part files hold consecutive ranges of that order."},
        footer = {"%nExamples:",
                "  refinery rephrase --input out/bios --output out/bios-multi5 --set rephrase.multi=5 --set rephrase.permute=true",
                "  refinery rephrase --input out/bios --output out/bios-qa --set rephrase.rephraser=qa",
                "  refinery rephrase --input out/filtered --output out/rephrased --set rephrase.rephraser=model "
                        + "--set rephrase.model.endpoint=http://127.0.0.1:8080 --set rephrase.model.styles=[wikipedia,simple]",
                "  refinery rephrase --input out/filtered --output out/rephrased --set rephrase.rephraser=model "
                        + "--set rephrase.model.local_model=runs/small"})
final class RephraseCommand extends StageCommand {
    static final String LOCAL_MODEL = "local_model";
    static final String RULES = "rules";

    @Mixin
    InputOptions input;

    @Override
    void validate(Config config) {
        if (rephraser(config).equals("model")) {
            ModelRephraseSettings.from(config);
        } else {
            RephraseSettings.from(config);
        }
    }

    private static String rephraser(Config config) {
        return new Section(config, "rephrase").oneOf("rephraser", Set.of("template", "qa", "model"));
    }

    @Override
    Result run(SparkSession spark, Config config, StageRun run) {
        if (rephraser(config).equals("model")) {
            return runModel(spark, config, run);
        }
        RephraseSettings settings = RephraseSettings.from(config);
        Dataset<Row> people = spark.read().parquet(entityPaths(spark.sparkContext().hadoopConfiguration()));
        String rephraser = rephraser(config);
        RephraseResult result = rephraser.equals("qa")
                ? QaConverter.run(spark, people, settings)
                : TemplateRephraser.run(spark, people, settings);
        int files = new Section(config, "output").intAtLeast("files", 0);
        run.writeParquet(StageOutput.DATA, GlobalOrder.forWrite(result.data(),
                files > 0 ? files : spark.sparkContext().defaultParallelism()));
        run.writeParquet(StageOutput.REJECTED, result.rejected());
        Map<String, Long> stats = result.stats();
        return new Result(stats, stats, rephraser + ": " + stats.get("people_in") + " people in, "
                + stats.get("rows_out") + " rows out, " + stats.get("people_rejected") + " rejected");
    }

    /**
     * Documents (id, text) rewritten in styles by a model: one of ours loaded in every executor when
     * rephrase.model.local_model names it, else the model behind an OpenAI-compatible endpoint.
     */
    private Result runModel(SparkSession spark, Config config, StageRun run) {
        ModelRephraseSettings settings = ModelRephraseSettings.from(config);
        String local = new Section(config, ModelRephraseSettings.SECTION).string(LOCAL_MODEL);
        Dataset<Row> docs = ParquetInputs.read(spark, input.inputs);
        ModelRephraser.Result result;
        if (local.isEmpty()) {
            if (new Section(config, ModelRephraseSettings.SECTION).bool(RULES)) {
                throw ai.refinery.pipeline.config.ConfigError.forKey(ModelRephraseSettings.SECTION + "." + RULES,
                        "the rule-based adapter runs in our own decoder: it needs " + ModelRephraseSettings.SECTION + "."
                                + LOCAL_MODEL + " (an endpoint decodes with its own sampling)");
            }
            result = ModelRephraser.run(spark, docs, settings);
        } else {
            RuleSet rules = new Section(config, ModelRephraseSettings.SECTION).bool(RULES) ? RuleSet.from(config) : null;
            ModelOption.LoadedModel model = ModelOption.read(ModelRephraseSettings.SECTION + "." + LOCAL_MODEL, local,
                    spark.sparkContext().hadoopConfiguration());
            run.manifest().put("model", model.describe());
            result = ModelRephraser.run(spark, docs,
                    settings.model().isEmpty() ? settings.withModel(model.files().modelId()) : settings,
                    LocalModelGenerator.source(spark, model, rules));
        }
        try {
            int files = new Section(config, "output").intAtLeast("files", 0);
            Dataset<Row> data = result.data();
            run.writeParquet(StageOutput.DATA, files > 0 ? data.coalesce(files) : data);
            run.writeParquet(StageOutput.REJECTED, result.rejected());
            Map<String, Long> stats = result.stats();
            return new Result(stats, stats, "model: " + stats.get("documents_in") + " documents, " + stats.get("rows_out")
                    + " rows out, " + stats.get("rejected") + " rejected");
        } finally {
            result.release();
        }
    }

    /** A bios output folder stands for its entities/; anything else is read as Parquet of entity records. */
    private String[] entityPaths(Configuration conf) {
        List<String> paths = new ArrayList<>();
        for (String spec : input.inputs) {
            try {
                Path entities = new Path(spec, BiosCommand.ENTITIES);
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
