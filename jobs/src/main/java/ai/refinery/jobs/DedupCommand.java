package ai.refinery.jobs;

import ai.refinery.dedup.DedupCounters;
import ai.refinery.dedup.DedupJob;
import ai.refinery.dedup.DedupResult;
import ai.refinery.dedup.DedupSettings;
import ai.refinery.pipeline.output.StageOutput;
import ai.refinery.pipeline.output.StageRun;
import ai.refinery.pipeline.spark.ParquetInputs;
import com.typesafe.config.Config;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "dedup", mixinStandardHelpOptions = true,
        description = {"Removes exact and near-duplicate documents: exact matching on the normalised text, then MinHash "
                + "LSH (word 5-gram shingles, 14 bands x 8 rows), candidate verification against dedup.near.threshold, "
                + "and connected components computed distributed (large-star/small-star).",
                "Input: the filter output (or any Parquet with id and text). Writes data/ (one survivor per cluster, "
                        + "with cluster_size), rejected/ (every removed document with stage, reason and duplicate_of), "
                        + "stats.json, manifest.json and _SUCCESS."},
        footer = {"%nExamples:", "  refinery dedup --input out/filtered --output out/deduped",
                "  refinery dedup --input out/filtered --output out/d --set dedup.survivor=longest_text --set dedup.near.threshold=0.7"})
final class DedupCommand extends StageCommand {
    static final String STAGE = "dedup";

    @Mixin
    InputOptions input;

    @Override
    void validate(Config config) {
        DedupSettings.fromConfig(config);
    }

    @Override
    Result run(SparkSession spark, Config config, StageRun run) {
        DedupResult result = DedupJob.run(spark, ParquetInputs.read(spark, input.inputs), DedupSettings.fromConfig(config));
        try {
            run.writeParquet(StageOutput.DATA, result.kept());
            run.writeParquet(StageOutput.REJECTED, result.removed().withColumn("stage", functions.lit(STAGE)));
            DedupCounters c = result.counters();
            return new Result(c.toMap(), c.toMap(), c.in() + " documents in, " + c.kept() + " kept, "
                    + c.exactDuplicates() + " exact and " + c.nearDuplicates() + " near duplicates removed");
        } finally {
            result.release();
        }
    }
}
