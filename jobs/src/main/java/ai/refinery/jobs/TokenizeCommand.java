package ai.refinery.jobs;

import ai.refinery.core.stage.Stage;
import ai.refinery.training.pack.TokenizeStage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = {"Tokenizes documents and packs them into fixed windows for pretraining: each document ends "
                + "with <|endoftext|>, windows hold pack.context_length + 1 tokens, whole documents are held out "
                + "for validation, and windows are shuffled globally with pack.seed.",
                "Writes data/split=train/ and data/split=validation/ (columns window_id, stream_offset, tokens), "
                        + "tokenizer.json (a copy of the tokenizer used), stats.json (documents, tokens, windows and the data budget D'), manifest.json, _SUCCESS."},
        footer = {"%nExamples:", "  refinery tokenize --input out/filtered --tokenizer out/tok --output out/packed",
                "  refinery tokenize --input out/sft --tokenizer out/tok --replay out/packed --output out/sft-packed"})
final class TokenizeCommand extends OutputStageCommand {
    @Mixin
    InputOptions input;

    @InputPath
    @Option(names = "--tokenizer", required = true, paramLabel = "DIR",
            description = "The output folder of 'refinery tokenizer' (or a tokenizer.json file).")
    String tokenizer;

    @InputPath
    @Option(names = "--replay", paramLabel = "DIR",
            description = "Instruction rows only: the output of 'refinery tokenize' on pretraining documents, whose "
                    + "windows are replayed among the training windows at a share of sft.mix.replay_fraction (loss on "
                    + "every token). Same tokenizer and pack.context_length required.")
    String replay;

    @Override
    Stage stage() {
        return new TokenizeStage(input.inputs, tokenizer, replay);
    }
}
