package ai.refinery.core.report;

import ai.refinery.core.config.ConfigError;
import ai.refinery.core.config.Section;
import ai.refinery.core.outcome.Counts;
import ai.refinery.core.stage.Stage;
import ai.refinery.core.stage.StageContext;
import ai.refinery.core.stage.StageResult;
import com.typesafe.config.Config;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The report of a build folder or a stage output: one self-contained HTML file ({@link ReportHtml}). Spark reads
 * the Parquet the charts need beyond stats.json (dedup's cluster sizes, a run's metrics); the file is written
 * through the Hadoop file system, so a report of a build on HDFS or S3 can be written there too.
 */
public final class ReportStage implements Stage {
    private final String folder;
    private final String output;
    private final boolean overwrite;
    private int maxCurvePoints;

    public ReportStage(String folder, String output, boolean overwrite) {
        this.folder = folder;
        this.output = output;
        this.overwrite = overwrite;
    }

    @Override
    public void check(Config config) {
        maxCurvePoints = new Section(config, "report").intAtLeast("max_curve_points", 2);
    }

    @Override
    public Kind kind() {
        return Kind.NONE;
    }

    @Override
    public StageResult run(StageContext context) throws IOException {
        Path target = new Path(output);
        FileSystem fs = target.getFileSystem(context.hadoop());
        if (fs.exists(target) && !overwrite) {
            throw new ConfigError("--output " + output + ": already exists; pass --overwrite to replace it");
        }
        Report report = Report.collect(context.spark(), folder, maxCurvePoints);
        String html = ReportHtml.render(report);
        try (FSDataOutputStream out = fs.create(target, true)) {
            out.write(html.getBytes(StandardCharsets.UTF_8));
        }
        return StageResult.of(Counts.of(report.stages().size(), 0), Map.of("stages", report.stages().size()),
                report.stages().size() + " stage outputs -> " + target);
    }
}
