package ai.refinery.jobs;

import ai.refinery.core.stage.Stage;
import ai.refinery.training.analysis.TokenShiftStage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "token-shift", mixinStandardHelpOptions = true,
        description = {"Token shift (URIAL): the --aligned model decodes every prompt greedily and each token it emits "
                + "(the end of text too) is ranked under the --base model at the same prefix: rank 1 unshifted, "
                + "2..token_shift.marginal_max_rank marginal, beyond shifted. Writes data/ (one row per token: prompt_id, "
                + "position, token_id, token, base_rank, base_prob, aligned_rank, aligned_prob, shift), rejected/ "
                + "(null or too-long prompts), stats.json (shares overall and by position bucket, the most often "
                + "shifted tokens), manifest.json and _SUCCESS. Both models must share one tokenizer."},
        footer = {"%nExamples:",
                "  refinery token-shift --base runs/small --aligned runs/small-sft --input prompts.parquet --output out/shift "
                        + "--set token_shift.chat=true"})
final class TokenShiftCommand extends OutputStageCommand {
    @Mixin
    InputOptions input;

    @InputPath
    @Option(names = "--base", required = true, paramLabel = "DIR",
            description = "The base model folder (as generate --model takes).")
    String base;

    @InputPath
    @Option(names = "--aligned", required = true, paramLabel = "DIR",
            description = "The aligned (tuned) model folder; it generates the responses.")
    String aligned;

    @Option(names = "--prompt-column", defaultValue = "prompt", paramLabel = "NAME",
            description = "The input column holding the prompts (default: ${DEFAULT-VALUE}); an 'id' column is the prompt_id.")
    String promptColumn;

    @Override
    Stage stage() {
        return new TokenShiftStage(base, aligned, input.inputs, promptColumn);
    }
}
