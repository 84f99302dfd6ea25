package ai.refinery.jobs;

import ai.refinery.core.stage.Stage;
import ai.refinery.rephrasing.RephraseStage;
import ai.refinery.training.decode.RuleSet;
import ai.refinery.training.generate.LoadedModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

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
final class RephraseCommand extends OutputStageCommand {
    @Mixin
    InputOptions input;

    @Override
    Stage stage() {
        return new RephraseStage(input.inputs, (setting, dir, rules, config, spark) ->
                LocalModelGenerator.model(spark, LoadedModel.read(setting, dir, spark.sparkContext().hadoopConfiguration()),
                        rules ? RuleSet.from(config) : null));
    }
}
