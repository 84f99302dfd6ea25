package ai.refinery.dedup;

import ai.refinery.core.output.Layout;
import ai.refinery.core.output.Output;
import ai.refinery.core.schema.Columns;
import ai.refinery.core.spark.ParquetInputs;
import ai.refinery.core.stage.Stage;
import ai.refinery.core.stage.StageContext;
import ai.refinery.core.stage.StageResult;
import com.typesafe.config.Config;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The dedup stage: {@link DedupJob} over Parquet inputs, optionally against a {@link SignatureIndex}, writing
 * data/ (survivors) and rejected/ (stage "dedup", reason, duplicate_of). This run's survivors are appended to the
 * index only after the output folder is committed ({@link #afterCommit}), and dropped if the run fails.
 */
public final class DedupStage implements Stage {
    public static final String STAGE = "dedup";
    private static final Logger LOG = LoggerFactory.getLogger(DedupStage.class);

    private final List<String> inputs;
    private final String output;
    /** This run's survivors, written into the index but committed only after the output folder. */
    private SignatureIndex.Append pending;

    /** @param output the output folder (a rerun into it replaces its own index segment) */
    public DedupStage(List<String> inputs, String output) {
        this.inputs = List.copyOf(inputs);
        this.output = output;
    }

    @Override
    public void check(Config config) {
        DedupSettings.fromConfig(config);
        IndexSettings.fromConfig(config);
    }

    @Override
    public StageResult run(StageContext context) {
        SparkSession spark = context.spark();
        DedupSettings settings = DedupSettings.fromConfig(context.config());
        IndexSettings indexSettings = IndexSettings.fromConfig(context.config());
        SignatureIndex signatureIndex = indexSettings.enabled()
                ? SignatureIndex.open(spark, indexSettings, settings, output) : null;
        DedupResult result = DedupJob.run(spark, ParquetInputs.read(spark, inputs), settings, signatureIndex);
        try {
            Output out = context.output();
            LOG.info("Writing the survivors to data/ and the duplicates to rejected/");
            out.writeParquet(Layout.DATA, result.kept());
            out.writeParquet(Layout.REJECTED, result.removed().withColumn(Columns.STAGE, functions.lit(STAGE)));
            DedupCounters c = result.counters();
            Map<String, Object> figures = new LinkedHashMap<>(c.figures());
            String summary = c.in() + " documents in, " + c.kept() + " kept, " + c.exactDuplicates() + " exact and "
                    + c.nearDuplicates() + " near duplicates removed";
            if (signatureIndex != null) {
                IndexCounters ic = result.indexCounters();
                figures.putAll(ic.toMap());
                if (indexSettings.append()) {
                    pending = signatureIndex.stage(result.survivorSignatures());
                }
                long appended = pending == null ? 0 : pending.rows();
                figures.put("index_appended", appended);
                Map<String, Object> about = new LinkedHashMap<>();
                about.put("path", signatureIndex.path());
                about.put("segments_read", signatureIndex.segments().stream().map(SignatureIndex.Segment::name).toList());
                about.put("segments_replaced", signatureIndex.replacedSegments().stream().map(SignatureIndex.Segment::name).toList());
                about.put("segment_appended", pending == null ? null : pending.segmentName());
                out.manifest().put("index", about);
                summary += " (" + ic.duplicates() + " of them duplicates of the " + ic.rows() + " indexed documents, "
                        + ic.matched() + " of which were matched against; " + appended + " appended)";
            }
            return StageResult.of(c.counts(), figures, summary);
        } finally {
            result.release();
        }
    }

    @Override
    public void afterCommit(String target) {
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
    public void afterAbort() {
        if (pending != null) {
            pending.abort();
        }
    }
}
