package ai.refinery.jobs;

import ai.refinery.core.stage.Stage;
import ai.refinery.training.tokenizer.TokenizerStage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "tokenizer", mixinStandardHelpOptions = true,
        description = {"Learns a byte-level BPE vocabulary from documents (a 'text' column; any stage output's data/) "
                + "as a Spark job: pre-token counting is distributed, merges are learned on the driver.",
                "Writes tokenizer.json (Hugging Face format; ids 0-5 are <|endoftext|>, <|pad|>, <|system|>, "
                        + "<|user|>, <|assistant|>, <|end|>), stats.json, manifest.json and _SUCCESS."},
        footer = {"%nExample:", "  refinery tokenizer --input out/filtered --output out/tok --set tokenizer.vocab_size=8192"})
final class TokenizerCommand extends OutputStageCommand {
    @Mixin
    InputOptions input;

    @Override
    Stage stage() {
        return new TokenizerStage(input.inputs);
    }
}
