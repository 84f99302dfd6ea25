package ai.refinery.core.output;

import org.apache.hadoop.conf.Configuration;

import java.util.Map;

/**
 * One run of a stage into a stage output folder: the atomic {@link StageOutput} and its manifest. Stages write
 * their Parquet through it; the runner ends it with {@link #finish} (or {@link #abort} on failure), so every stage
 * output has the same shape: data/, rejected/, stats.json, manifest.json, and _SUCCESS last.
 */
public final class StageRun implements Output {
    private final StageOutput output;
    private final Manifest manifest;

    private StageRun(StageOutput output, Manifest manifest) {
        this.output = output;
        this.manifest = manifest;
    }

    /** Refuses an existing output (exit 2) unless {@code overwrite}; nothing is visible at the target yet. */
    public static StageRun open(Configuration hadoop, Manifest manifest, String output, boolean overwrite) {
        manifest.put("output", output);
        return new StageRun(StageOutput.open(output, overwrite, hadoop), manifest);
    }

    @Override
    public Manifest manifest() {
        return manifest;
    }

    @Override
    public String path(String child) {
        return output.stagingPath(child);
    }

    @Override
    public void writeText(String child, String content) {
        output.writeText(child, content);
    }

    @Override
    public String target() {
        return output.targetPath();
    }

    /** Writes stats.json and manifest.json (with {@code counts}), then commits the folder with _SUCCESS last. */
    public String finish(Map<String, ?> stats, Map<String, ?> counts) {
        output.writeText(Layout.STATS, Json.write(stats));
        manifest.put("counts", counts).put("outcome", "finished");
        output.writeText(Layout.MANIFEST, manifest.finish());
        output.commit();
        return output.targetPath();
    }

    public void abort() {
        output.abort();
    }
}
