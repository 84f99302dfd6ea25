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
                + "(question/answer conversations in the SFT row format with a person-level train/test split).",
                "Output rows are in a seeded global order so that a person's variants never sit together; "
                        + "data/ part files hold consecutive ranges of that order."},
        footer = {"%nExamples:",
                "  refinery rephrase --input out/bios --output out/bios-multi5 --set rephrase.multi=5 --set rephrase.permute=true",
                "  refinery rephrase --input out/bios --output out/bios-qa --set rephrase.rephraser=qa"})
final class RephraseCommand extends StageCommand {
    @Mixin
    InputOptions input;

    @Override
    void validate(Config config) {
        rephraser(config);
        RephraseSettings.from(config);
    }

    private static String rephraser(Config config) {
        return new Section(config, "rephrase").oneOf("rephraser", Set.of("template", "qa"));
    }

    @Override
    Result run(SparkSession spark, Config config, StageRun run) {
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
