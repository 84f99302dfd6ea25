package ai.refinery.jobs;

import ai.refinery.core.output.OutputPolicy;
import ai.refinery.core.stage.Stage;
import ai.refinery.training.generate.GenerateStage;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

@Command(name = "generate", mixinStandardHelpOptions = true,
        description = {"Generates text with a trained model. With --prompt, prints the completion of one prompt. With "
                + "--input and --output, completes every row of a Parquet or JSON Lines table (column 'prompt', see "
                + "--prompt-column; an 'id' column is carried) as a Spark job and writes data/ (prompt, completion, "
                + "prompt_tokens, completion_tokens, finish_reason, token_ids, token_logprobs and top_logprobs with "
                + "generate.logprobs, model_id, settings), rejected/ (null or too-long prompts, failed generations, "
                + "with stage and reason), stats.json, manifest.json and _SUCCESS.",
                "With --chat the prompts are conversations: --prompt is one user message, or the input's 'messages' "
                        + "column (a list of {role, content}) is read instead of 'prompt'; each is formatted with the "
                        + "chat template and answered as the next assistant turn, which ends at <|end|>.",
                "Decoding: a key/value cache, generate.batch_size prompts at once. Sampling: the generate section of the "
                        + "settings (max_tokens, min_tokens, temperature, top_k, top_p, min_p, repetition_penalty, "
                        + "frequency_penalty, presence_penalty, logit_bias, seed, stop, and rules with rules_file for "
                        + "the rule-based adapter)."},
        footer = {"%nExamples:",
                "  refinery generate --model runs/tiny --prompt \"The capital of France is\" --set generate.temperature=0",
                "  refinery generate --model runs/tiny --input prompts.parquet --output out/completions",
                "  refinery generate --model runs/sft --chat --prompt \"What is the capital of France?\"",
                "  refinery generate --model runs/sft --chat --input chats.jsonl --output out/answers"})
final class GenerateCommand extends StageCommand {
    @Mixin
    ModelOption model;

    @Option(names = "--prompt", paramLabel = "TEXT", description = "One prompt: its completion is printed.")
    String prompt;

    @InputPath
    @Option(names = "--input", split = ",", paramLabel = "PATH",
            description = "Parquet files, folders or globs of prompts (or an earlier stage's output folder).")
    List<String> inputs = new ArrayList<>();

    @Option(names = "--prompt-column", defaultValue = "prompt", paramLabel = "NAME",
            description = "The input column holding the prompts (default: ${DEFAULT-VALUE}).")
    String promptColumn;

    @Option(names = "--chat", description = "Prompts are conversations (a user message with --prompt; the 'messages' "
            + "column with --input), formatted with the chat template; answers end at <|end|>.")
    boolean chat;

    @Option(names = "--output", paramLabel = "DIR",
            description = "Output folder of the --input job (any Hadoop FS URI), written atomically.")
    String output;

    @Option(names = "--overwrite", description = "Replace an existing output folder (default: refuse with exit 2).")
    boolean overwrite;

    @Override
    Stage stage() {
        if ((prompt == null) == inputs.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "give either --prompt or --input (with --output)");
        }
        if (!inputs.isEmpty() && output == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--input needs --output");
        }
        return new GenerateStage(model.model, prompt, inputs, promptColumn, chat);
    }

    @Override
    String output() {
        return prompt != null ? null : output;
    }

    @Override
    OutputPolicy policy() {
        return OutputPolicy.of(overwrite, false);
    }
}
