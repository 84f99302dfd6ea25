package ai.refinery.jobs;

import ai.refinery.core.stage.Stage;
import ai.refinery.pipeline.sft.SftDataStage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

@Command(name = "sft-data", mixinStandardHelpOptions = true,
        description = {"Converts instruction data into the SFT row contract (id, messages of {role, content}, source, "
                + "split, score): JSONL of OpenAI chat (messages), Alpaca (instruction, input, output), ShareGPT "
                + "(conversations of from/value) or prompt/completion records, and Parquet with those fields or already "
                + "in the contract (the output of 'rephrase' with rephrase.rephraser=qa). Records with an unknown role, "
                + "roles out of order, an empty or no assistant turn, or that cannot be read go to rejected/ with a reason.",
                "Each --input is one source, named NAME=PATH or after its file or folder; with sft.mix.sources set the "
                        + "inputs are mixed by weight with a cap per input, deterministically for sft.mix.seed.",
                "Writes data/ (the SFT rows), rejected/, stats.json (counts per reason, per format and per input, and "
                        + "the realised mix), manifest.json, _SUCCESS."},
        footer = {"%nExamples:",
                "  refinery sft-data --input data/alpaca_data.json --output out/sft",
                "  refinery sft-data --input alpaca=data/alpaca.jsonl --input qa=out/bios-qa --output out/sft-mix "
                        + "--set sft.mix.sources.alpaca.weight=3 --set sft.mix.sources.qa.weight=1 "
                        + "--set sft.mix.sources.qa.cap=5000"})
final class SftDataCommand extends OutputStageCommand {
    @Mixin
    InputOptions input;

    @Option(names = "--format", paramLabel = "FORMAT",
            description = "Input format: auto (detected per record, the default from sft.format), openai, alpaca, "
                    + "sharegpt or prompt_completion.")
    String format;

    @Override
    List<String> impliedSettings() {
        List<String> settings = new ArrayList<>();
        if (format != null) {
            settings.add("sft.format=" + format);
        }
        return settings;
    }

    @Override
    Stage stage() {
        return new SftDataStage(input.inputs);
    }
}
