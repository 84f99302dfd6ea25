package ai.refinery.jobs;

import ai.refinery.core.stage.Stage;
import ai.refinery.dedup.DedupStage;
import ai.refinery.dedup.IndexSettings;
import com.typesafe.config.ConfigUtil;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.List;

@Command(name = "dedup", mixinStandardHelpOptions = true,
        description = {"Removes exact and near-duplicate documents: exact matching on the normalised text, then MinHash "
                + "LSH (word 5-gram shingles, 14 bands x 8 rows), candidate verification against dedup.near.threshold, "
                + "and connected components computed distributed (large-star/small-star).",
                "Input: the filter output (or any Parquet with id and text). Writes data/ (one survivor per cluster, "
                        + "with cluster_size), rejected/ (every removed document with stage, reason and duplicate_of), "
                        + "stats.json, manifest.json and _SUCCESS.",
                "With --index (nightly builds), documents are also deduplicated against the signatures of everything "
                        + "earlier runs kept, and this run's survivors are appended to the index once the output is committed."},
        footer = {"%nExamples:", "  refinery dedup --input out/filtered --output out/deduped",
                "  refinery dedup --input out/filtered --output out/d --set dedup.survivor=longest_text --set dedup.near.threshold=0.7",
                "  refinery dedup --input out/2024-10/filtered --output out/2024-10/deduped --index s3a://bucket/refinery/dedup-index"})
final class DedupCommand extends OutputStageCommand {
    @Mixin
    InputOptions input;

    @Option(names = "--index", paramLabel = "PATH",
            description = "Signature index of earlier runs (any Hadoop FS folder; sets dedup.index.path): deduplicate "
                    + "against it too, then append this run's survivors. The first run creates it.")
    String index;

    @Override
    List<String> impliedSettings() {
        return index == null ? List.of() : List.of(IndexSettings.KEY_PATH + "=" + ConfigUtil.quoteString(index));
    }

    @Override
    Stage stage() {
        return new DedupStage(input.inputs, output());
    }
}
