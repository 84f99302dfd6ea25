package ai.refinery.jobs;

import ai.refinery.core.stage.Stage;
import ai.refinery.rephrasing.select.SelectStage;
import ai.refinery.training.decode.RuleSet;
import ai.refinery.training.generate.LoadedModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "select", mixinStandardHelpOptions = true,
        description = {"SFT data selection over instruction rows (id, messages, ...) by select.rule: longest (the "
                + "select.n rows with the longest responses, Long Is More), random (select.n rows drawn with select.seed, "
                + "the control), judge (a judge's 0-5 score from the prompt select.judge.prompt >= select.judge.threshold, "
                + "AlpaGasus; the judge is an OpenAI-compatible endpoint or one of our models, select.judge.local_model), "
                + "knowledge (drop the SliCK categories select.knowledge.drop, from the output of 'refinery knowledge') or "
                + "dedup (near-duplicate instructions removed with the dedup module's MinHash, dedup.* settings). Writes "
                + "data/ (the selected rows, the input's columns; judge adds judge_score), rejected/ (every other row with "
                + "rule, stage, reason, detail), stats.json, manifest.json and _SUCCESS."},
        footer = {"%nExamples:",
                "  refinery select --input out/sft --output out/sft-long --set select.rule=longest --set select.n=1000",
                "  refinery select --input out/sft --output out/sft-judged --set select.rule=judge "
                        + "--set select.judge.endpoint=http://127.0.0.1:8080",
                "  refinery select --input out/bios-qa --output out/qa-known --set select.rule=knowledge "
                        + "--set select.knowledge.input=out/knowledge --set select.n=0"})
final class SelectCommand extends OutputStageCommand {
    @Mixin
    InputOptions input;

    @Override
    Stage stage() {
        return new SelectStage(input.inputs, (setting, dir, rules, config, spark) ->
                LocalModelGenerator.model(spark, LoadedModel.read(setting, dir, spark.sparkContext().hadoopConfiguration()),
                        rules ? RuleSet.from(config) : null));
    }
}
