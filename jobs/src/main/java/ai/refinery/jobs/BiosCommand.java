package ai.refinery.jobs;

import ai.refinery.core.stage.Stage;
import ai.refinery.rephrasing.BiosStage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

@Command(name = "bios", mixinStandardHelpOptions = true,
        description = {"Generates a synthetic knowledge source after Physics of Language Models 3.1 (bioS): people "
                + "with six attributes and one six-sentence biography each, deterministic for a seed.",
                "Writes data/ (biography documents), entities/ (the people records, input of 'rephrase'), "
                        + "stats.json, manifest.json and _SUCCESS."},
        footer = {"%nExample:", "  refinery bios --people 100000 --seed 7 --output out/bios"})
final class BiosCommand extends OutputStageCommand {
    @Option(names = "--people", paramLabel = "N", description = "People to generate (setting bios.people, default 100000).")
    Long people;

    @Option(names = "--seed", paramLabel = "S", description = "Seed of every draw (setting bios.seed, default 42).")
    Long seed;

    @Override
    List<String> impliedSettings() {
        List<String> implied = new ArrayList<>();
        if (people != null) {
            implied.add("bios.people=" + people);
        }
        if (seed != null) {
            implied.add("bios.seed=" + seed);
        }
        return implied;
    }

    @Override
    Stage stage() {
        return new BiosStage();
    }
}
