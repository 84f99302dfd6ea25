package ai.refinery.jobs;

import ai.refinery.dedup.DedupCounters;
import ai.refinery.dedup.DedupJob;
import ai.refinery.dedup.DedupResult;
import ai.refinery.dedup.DedupSettings;
import ai.refinery.dedup.IndexCounters;
import ai.refinery.dedup.IndexSettings;
import ai.refinery.dedup.SignatureIndex;
import ai.refinery.core.output.StageOutput;
import ai.refinery.core.output.StageRun;
import ai.refinery.core.spark.ParquetInputs;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigUtil;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
final class DedupCommand extends StageCommand {
    static final String STAGE = "dedup";

    @Mixin
    InputOptions input;

    @Option(names = "--index", paramLabel = "PATH",
            description = "Signature index of earlier runs (any Hadoop FS folder; sets dedup.index.path): deduplicate "
                    + "against it too, then append this run's survivors. The first run creates it.")
    String index;

    /** This run's survivors, written into the index but committed only after the output folder. */
    private SignatureIndex.Append pending;

    @Override
    List<String> impliedSettings() {
        return index == null ? List.of() : List.of(IndexSettings.KEY_PATH + "=" + ConfigUtil.quoteString(index));
    }

    @Override
    void validate(Config config) {
        DedupSettings.fromConfig(config);
        IndexSettings.fromConfig(config);
    }

    @Override
    Result run(SparkSession spark, Config config, StageRun run) {
        DedupSettings settings = DedupSettings.fromConfig(config);
        IndexSettings indexSettings = IndexSettings.fromConfig(config);
        SignatureIndex signatureIndex = indexSettings.enabled()
                ? SignatureIndex.open(spark, indexSettings, settings, outputOptions.output) : null;
        DedupResult result = DedupJob.run(spark, ParquetInputs.read(spark, input.inputs), settings, signatureIndex);
        try {
            run.writeParquet(StageOutput.DATA, result.kept());
            run.writeParquet(StageOutput.REJECTED, result.removed().withColumn("stage", functions.lit(STAGE)));
            DedupCounters c = result.counters();
            Map<String, Object> stats = new LinkedHashMap<>(c.toMap());
            String summary = c.in() + " documents in, " + c.kept() + " kept, " + c.exactDuplicates() + " exact and "
                    + c.nearDuplicates() + " near duplicates removed";
            if (signatureIndex != null) {
                IndexCounters ic = result.indexCounters();
                stats.putAll(ic.toMap());
                if (indexSettings.append()) {
                    pending = signatureIndex.stage(result.survivorSignatures());
                }
                long appended = pending == null ? 0 : pending.rows();
                stats.put("index_appended", appended);
                Map<String, Object> about = new LinkedHashMap<>();
                about.put("path", signatureIndex.path());
                about.put("segments_read", signatureIndex.segments().stream().map(SignatureIndex.Segment::name).toList());
                about.put("segments_replaced", signatureIndex.replacedSegments().stream().map(SignatureIndex.Segment::name).toList());
                about.put("segment_appended", pending == null ? null : pending.segmentName());
                run.manifest().put("index", about);
                summary += " (" + ic.duplicates() + " of them duplicates of the " + ic.rows() + " indexed documents, "
                        + ic.matched() + " of which were matched against; " + appended + " appended)";
            }
            return new Result(stats, stats, summary);
        } finally {
            result.release();
        }
    }

    @Override
    void afterCommit(String target) {
        if (pending != null) {
            try {
                pending.commit();
            } catch (RuntimeException e) {
                throw new IllegalStateException("the output " + target + " is committed but its survivors were not "
                        + "appended to the index; rerun with --overwrite to append them", e);
            }
            System.out.println(STAGE + ": appended " + pending.rows() + " signatures to the index as " + pending.segmentName());
        }
    }

    @Override
    void afterAbort() {
        if (pending != null) {
            pending.abort();
        }
    }
}
