package ai.refinery.core.output;

import ai.refinery.core.config.ConfigError;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * A training run folder: written in place, because a run outlives one process (checkpoints are what a resumed
 * run starts from), unlike a stage output that is replaced as a whole. The layout is {@link Layout}'s:
 * {@code checkpoints/}, {@code metrics/}, {@code model.json}, {@code tokenizer.json}, {@code stats.json},
 * {@code manifest.json}, and {@code _SUCCESS} once a run has finished; no {@code rejected/}.
 *
 * <p>A folder that already holds checkpoints is an earlier run: refused (exit 2) unless the policy is
 * {@link OutputPolicy#RESUME} (kept, and the trainer continues from it) or {@link OutputPolicy#OVERWRITE} (deleted
 * first). Opening removes {@code _SUCCESS}, so a resumed run in progress never looks finished. A failed run keeps
 * its checkpoints and records {@code "outcome": "failed: ..."} in manifest.json.
 */
public final class RunFolder implements Output {
    private static final Logger LOG = LoggerFactory.getLogger(RunFolder.class);

    private final FileSystem fs;
    private final Path dir;
    private final Manifest manifest;
    private final boolean resumed;

    private RunFolder(FileSystem fs, Path dir, Manifest manifest, boolean resumed) {
        this.fs = fs;
        this.dir = dir;
        this.manifest = manifest;
        this.resumed = resumed;
    }

    public static RunFolder open(Configuration hadoop, Manifest manifest, String output, OutputPolicy policy) {
        try {
            Path dir = new Path(output);
            FileSystem fs = dir.getFileSystem(hadoop);
            dir = fs.makeQualified(dir);
            if (fs.exists(dir) && !fs.getFileStatus(dir).isDirectory()) {
                throw new ConfigError("--output " + output + ": exists and is a file, not a folder");
            }
            boolean earlierRun = fs.exists(new Path(dir, Layout.CHECKPOINTS));
            if (earlierRun) {
                switch (policy) {
                    case REFUSE -> throw new ConfigError("--output " + output + ": the run folder has checkpoints; "
                            + "pass --resume to continue or --overwrite to start over");
                    case OVERWRITE -> {
                        LOG.info("Deleting the earlier run in {}", dir);
                        fs.delete(dir, true);
                    }
                    case RESUME -> LOG.info("Resuming the run in {}", dir);
                }
            }
            fs.mkdirs(dir);
            fs.delete(new Path(dir, Layout.SUCCESS), false);
            manifest.put("output", output);
            return new RunFolder(fs, dir, manifest, earlierRun && policy == OutputPolicy.RESUME);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare run folder " + output, e);
        }
    }

    /** True when the folder held an earlier run that this one continues. */
    public boolean resumed() {
        return resumed;
    }

    @Override
    public String path(String child) {
        return new Path(dir, child).toString();
    }

    @Override
    public void writeText(String child, String content) {
        StageOutput.writeText(fs, new Path(dir, child), content);
    }

    @Override
    public String target() {
        return dir.toString();
    }

    @Override
    public Manifest manifest() {
        return manifest;
    }

    /** Writes stats.json and manifest.json (outcome finished), then _SUCCESS. */
    public String finish(Map<String, ?> stats, Map<String, ?> counts) {
        writeText(Layout.STATS, Json.write(stats));
        manifest.put("counts", counts).put("outcome", "finished");
        writeText(Layout.MANIFEST, manifest.finish());
        writeText(Layout.SUCCESS, "");
        return target();
    }

    /** Records the failure in manifest.json; checkpoints and metrics stay for a resumed run. */
    public void abort(Throwable failure) {
        try {
            manifest.put("outcome", "failed: " + failure);
            writeText(Layout.MANIFEST, manifest.finish());
        } catch (RuntimeException e) {
            LOG.warn("Could not record the failure in {}: {}", dir, e.toString());
        }
    }
}
