package ai.refinery.jobs;

import ai.refinery.core.stage.Stage;
import ai.refinery.training.generate.ScoreStage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "score", mixinStandardHelpOptions = true,
        description = {"Scores given responses with a model by teacher forcing, as a Spark job: the log-probability "
                + "and rank of every response token after the prompt and the tokens before it. Input rows (Parquet or "
                + "JSON Lines): 'prompt' and 'response' strings (see --prompt-column, --response-column), or "
                + "instruction rows with 'messages', whose last assistant turn is scored under the chat template "
                + "(its tokens and <|end|>). An 'id' column is carried.",
                "Writes data/ (prompt_tokens, response_tokens, token_ids, tokens, token_logprobs, token_ranks, "
                        + "logprob_sum, logprob_mean, model_id), rejected/ (stage score, with the reason), stats.json "
                        + "(tokens_scored, logprob_mean, perplexity, rank1_share), manifest.json and _SUCCESS. "
                        + "Setting: score.batch_size."},
        footer = {"%nExamples:",
                "  refinery score --model runs/small --input pairs.parquet --output out/scores",
                "  refinery score --model runs/sft --input out/sft-data --output out/sft-scores",
                "  refinery score --model runs/base --input out/completions --response-column completion --output out/cross"})
final class ScoreCommand extends OutputStageCommand {
    @Mixin
    ModelOption model;

    @Mixin
    InputOptions input;

    @Option(names = "--prompt-column", defaultValue = "prompt", paramLabel = "NAME",
            description = "The column holding the prompts (default: ${DEFAULT-VALUE}).")
    String promptColumn;

    @Option(names = "--response-column", defaultValue = "response", paramLabel = "NAME",
            description = "The column holding the responses to score (default: ${DEFAULT-VALUE}).")
    String responseColumn;

    @Override
    Stage stage() {
        return new ScoreStage(model.model, input.inputs, promptColumn, responseColumn);
    }
}
