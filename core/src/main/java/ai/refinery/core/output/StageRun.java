package ai.refinery.core.output;

import com.typesafe.config.Config;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.util.List;
import java.util.Map;

/**
 * One run of a stage command: its atomic output folder and its manifest. Commands write their Parquet and
 * stats through it and end with {@link #finish} (or {@link #abort} on failure), so every stage output has the
 * same shape: data/, rejected/, stats.json, manifest.json, and _SUCCESS last.
 */
public final class StageRun {
    private final StageOutput output;
    private final Manifest manifest;

    private StageRun(StageOutput output, Manifest manifest) {
        this.output = output;
        this.manifest = manifest;
    }

    /** Refuses an existing output (exit 2) unless {@code overwrite}; nothing is visible at the target yet. */
    public static StageRun open(SparkSession spark, String command, List<String> arguments, Config config,
                                String output, boolean overwrite) {
        Manifest manifest = new Manifest(command, arguments, config).put("output", output);
        return new StageRun(StageOutput.open(output, overwrite, spark.sparkContext().hadoopConfiguration()), manifest);
    }

    public Manifest manifest() {
        return manifest;
    }

    /** Where a child of the output is being written now. */
    public String path(String child) {
        return output.stagingPath(child);
    }

    /** Writes rows as Parquet (the session's codec, zstd by default) into a child folder. */
    public void writeParquet(String child, Dataset<Row> rows) {
        rows.write().parquet(output.stagingPath(child));
    }

    public void writeText(String child, String content) {
        output.writeText(child, content);
    }

    /** Writes stats.json and manifest.json (with {@code counts}), then commits the folder with _SUCCESS last. */
    public String finish(Map<String, ?> stats, Map<String, ?> counts) {
        output.writeText(StageOutput.STATS, Json.write(stats));
        manifest.put("counts", counts);
        output.writeText(StageOutput.MANIFEST, manifest.finish());
        output.commit();
        return output.targetPath();
    }

    public void abort() {
        output.abort();
    }
}
