package ai.refinery.jobs;

import ai.refinery.core.stage.Stage;
import ai.refinery.training.eval.EvalQaStage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "eval-qa", mixinStandardHelpOptions = true,
        description = {"Asks a model every question of a table of question/answer rows (instruction rows: id, "
                + "messages ending with the reference answer, e.g. the 'rephrase qa' output) and scores its greedy "
                + "answers by normalised exact match, as a Spark job.",
                "The prompt is the conversation up to the last assistant turn in the chat template, then "
                        + "<|assistant|>; the answer ends at <|end|> (or eval_qa.max_tokens). Matching: NFKC, lower "
                        + "case, punctuation and symbols to spaces, articles a/an/the dropped, white space collapsed.",
                "Writes data/ (id, question, reference, answer, correct, attribute, split, finish_reason, "
                        + "answer_tokens, model_id), rejected/ (rows that are no valid conversation or do not fit the "
                        + "context), and stats.json with the accuracy overall and per attribute (the input's "
                        + "eval_qa.attribute_column, default 'attribute') beside the majority-answer baseline."},
        footer = {"%nExamples:",
                "  refinery eval-qa --model runs/small-sft --input out/qa --output out/eval-qa --split test"})
final class EvalQaCommand extends OutputStageCommand {
    @Mixin
    InputOptions inputOptions;

    @InputPath
    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "A training run folder (its newest checkpoint), a checkpoint folder, or an exported model "
                    + "folder (model.zip and tokenizer.json).")
    String model;

    @Option(names = "--split", paramLabel = "NAME",
            description = "Only rows whose split column has this value (e.g. test); default: every row.")
    String split;

    @Override
    Stage stage() {
        return new EvalQaStage(model, inputOptions.inputs, split);
    }
}
