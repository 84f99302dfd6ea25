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
        footer = {"%nExample:", "  refinery tokenize --input out/filtered --tokenizer out/tok --output out/packed"})
final class TokenizeCommand extends OutputStageCommand {
    @Mixin
    InputOptions input;

    @Option(names = "--tokenizer", required = true, paramLabel = "DIR",
            description = "The output folder of 'refinery tokenizer' (or a tokenizer.json file).")
    String tokenizer;

    @Override
    Stage stage() {
        return new TokenizeStage(input.inputs, tokenizer);
    }
}
