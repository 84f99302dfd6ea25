package ai.refinery.jobs;

import ai.refinery.pipeline.config.Section;
import ai.refinery.pipeline.output.StageOutput;
import ai.refinery.pipeline.output.StageRun;
import ai.refinery.pipeline.spark.ParquetInputs;
import ai.refinery.pipeline.spark.SparkSessions;
import ai.refinery.training.decode.Completion;
import ai.refinery.training.generate.GenerateJob;
import ai.refinery.training.generate.ModelBundle;
import ai.refinery.training.decode.SamplingSettings;
import com.typesafe.config.Config;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "generate", mixinStandardHelpOptions = true,
        description = {"Generates text with a trained model. With --prompt, prints the completion of one prompt. With "
                + "--input and --output, completes every row of a Parquet table (column 'prompt', see --prompt-column; "
                + "an 'id' column is carried) as a Spark job and writes data/ (prompt, completion, prompt_tokens, "
                + "completion_tokens, finish_reason, model_id, settings), rejected/ (null or too-long prompts, failed "
                + "generations, with stage and reason), stats.json, manifest.json and _SUCCESS.",
                "Decoding: a key/value cache, generate.batch_size prompts at once. Sampling: the generate section of the "
                        + "settings (max_tokens, min_tokens, temperature, top_k, top_p, min_p, repetition_penalty, "
                        + "frequency_penalty, presence_penalty, logit_bias, seed, stop, and rules with rules_file for "
                        + "the rule-based adapter)."},
        footer = {"%nExamples:",
                "  refinery generate --model runs/tiny --prompt \"The capital of France is\" --set generate.temperature=0",
                "  refinery generate --model runs/tiny --input prompts.parquet --output out/completions"})
final class GenerateCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions configOptions;

    @Mixin
    ModelOption model;

    @Option(names = "--prompt", paramLabel = "TEXT", description = "One prompt: its completion is printed.")
    String prompt;

    @Option(names = "--input", split = ",", paramLabel = "PATH",
            description = "Parquet files, folders or globs of prompts (or an earlier stage's output folder).")
    List<String> inputs = new ArrayList<>();

    @Option(names = "--prompt-column", defaultValue = "prompt", paramLabel = "NAME",
            description = "The input column holding the prompts (default: ${DEFAULT-VALUE}).")
    String promptColumn;

    @Option(names = "--output", paramLabel = "DIR",
            description = "Output folder of the --input job (any Hadoop FS URI), written atomically.")
    String output;

    @Option(names = "--overwrite", description = "Replace an existing output folder (default: refuse with exit 2).")
    boolean overwrite;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if ((prompt == null) == inputs.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "give either --prompt or --input (with --output)");
        }
        if (!inputs.isEmpty() && output == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--input needs --output");
        }
        Config config = configOptions.config(List.of());
        SamplingSettings sampling = SamplingSettings.from(config);
        int batchSize = new Section(config, SamplingSettings.SECTION).intAtLeast("batch_size", 1);
        if (prompt != null) {
            ModelBundle bundle = model.load(new Configuration());
            sampling.checkVocabulary(bundle.vocabSize());
            Completion c;
            try {
                c = bundle.generator().complete(prompt, sampling);
            } catch (ai.refinery.training.decode.PromptTooLongException e) {
                throw new ai.refinery.pipeline.config.ConfigError("--prompt: " + e.getMessage(), e);
            }
            System.out.println(c.text());
            System.err.println("generate: " + c.promptTokens() + " prompt tokens, " + c.completionTokens()
                    + " generated, finish_reason " + c.finishReason().wire() + " (model " + bundle.modelId() + ")");
            return Refinery.EXIT_OK;
        }
        SparkSession spark = SparkSessions.create("generate", config);
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        // Load once on the driver: a model that cannot be read is a usage error before any task runs.
        ModelOption.LoadedModel loaded = model.read(hadoop);
        ModelBundle.Files files = loaded.files();
        sampling.checkVocabulary(loaded.bundle().vocabSize());
        List<String> arguments = spec.commandLine().getParseResult().originalArgs();
        StageRun run = StageRun.open(spark, "generate", arguments, config, output, overwrite);
        run.manifest().put("model", loaded.describe());
        try {
            GenerateJob.Result result = GenerateJob.run(spark, ParquetInputs.read(spark, inputs), promptColumn,
                    loaded.modelZip(), loaded.tokenizerJson(), files.modelId(), sampling, batchSize);
            try {
                run.writeParquet(StageOutput.DATA, result.data());
                run.writeParquet(StageOutput.REJECTED, result.rejected());
                Map<String, Long> stats = result.stats();
                String target = run.finish(stats, stats);
                System.out.println("generate: " + stats.get("prompts_in") + " prompts, " + stats.get("completions_out")
                        + " completions, " + stats.get("rejected") + " rejected -> " + target);
            } finally {
                result.release();
            }
            return Refinery.EXIT_OK;
        } catch (IllegalArgumentException e) {
            run.abort();
            throw new ai.refinery.pipeline.config.ConfigError(e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            run.abort();
            throw e;
        }
    }
}
