package ai.refinery.jobs;

import ai.refinery.core.output.StageOutput;
import ai.refinery.core.output.StageRun;
import ai.refinery.rephrasing.BiosJob;
import ai.refinery.rephrasing.BiosResult;
import ai.refinery.rephrasing.BiosSettings;
import com.typesafe.config.Config;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

@Command(name = "bios", mixinStandardHelpOptions = true,
        description = {"Generates a synthetic knowledge source after Physics of Language Models 3.1 (bioS): people "
                + "with six attributes and one six-sentence biography each, deterministic for a seed.",
                "Writes data/ (biography documents), entities/ (the people records, input of 'rephrase'), "
                        + "stats.json, manifest.json and _SUCCESS."},
        footer = {"%nExample:", "  refinery bios --people 100000 --seed 7 --output out/bios"})
final class BiosCommand extends StageCommand {
    static final String ENTITIES = "entities";

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
    void validate(Config config) {
        BiosSettings.from(config);
    }

    @Override
    Result run(SparkSession spark, Config config, StageRun run) {
        BiosResult bios = BiosJob.run(spark, BiosSettings.from(config));
        run.writeParquet(StageOutput.DATA, bios.biographies());
        run.writeParquet(ENTITIES, bios.people());
        Map<String, Long> stats = bios.stats();
        return new Result(stats, stats, stats.get("people") + " people, " + stats.get("biographies") + " biographies");
    }
}
