package ai.refinery.core.output;

import ai.refinery.core.config.ConfigError;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * The output folder of one stage, written atomically. Everything is written into a hidden staging folder
 * beside the target ({@code .<name>.inprogress-<uuid>}); {@link #commit()} replaces the target with it and
 * writes {@code _SUCCESS} last. A failed or killed job therefore leaves either the previous finished output or
 * no output at all, never a folder that looks finished. Staging folders of killed runs start with a dot, so
 * Hadoop and Spark readers ignore them; {@link #open} removes the ones left beside the same target.
 */
public final class StageOutput {
    private static final Logger LOG = LoggerFactory.getLogger(StageOutput.class);

    private final FileSystem fs;
    private final Path target;
    private final Path staging;
    private final boolean overwrite;

    private StageOutput(FileSystem fs, Path target, Path staging, boolean overwrite) {
        this.fs = fs;
        this.target = target;
        this.staging = staging;
        this.overwrite = overwrite;
    }

    /**
     * Checks the target and creates the staging folder.
     *
     * @throws ConfigError when the target exists and is not empty and {@code overwrite} is false (exit 2)
     */
    public static StageOutput open(String output, boolean overwrite, Configuration hadoopConf) {
        try {
            Path target = new Path(output);
            FileSystem fs = target.getFileSystem(hadoopConf);
            target = fs.makeQualified(target);
            if (fs.exists(target)) {
                if (!fs.getFileStatus(target).isDirectory()) {
                    throw new ConfigError("--output " + output + ": exists and is a file, not a folder");
                }
                if (!overwrite && fs.listStatus(target).length > 0) {
                    throw new ConfigError("--output " + output + ": already exists; pass --overwrite to replace it");
                }
            }
            Path parent = target.getParent();
            if (parent != null) {
                removeAbandonedStaging(fs, parent, target.getName());
            }
            Path staging = new Path(parent, "." + target.getName() + ".inprogress-" + UUID.randomUUID());
            fs.mkdirs(staging);
            return new StageOutput(fs, target, staging, overwrite);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare output folder " + output, e);
        }
    }

    private static void removeAbandonedStaging(FileSystem fs, Path parent, String name) throws IOException {
        if (!fs.exists(parent)) {
            return;
        }
        String prefix = "." + name + ".inprogress-";
        for (FileStatus status : fs.listStatus(parent)) {
            if (status.getPath().getName().startsWith(prefix)) {
                LOG.info("Removing staging folder of an earlier run that did not finish: {}", status.getPath());
                fs.delete(status.getPath(), true);
            }
        }
    }

    /** The folder to write into now (a URI string usable by Spark writers). */
    public String stagingPath(String child) {
        return new Path(staging, child).toString();
    }

    /** Where the finished output will be. */
    public String targetPath() {
        return target.toString();
    }

    public void writeText(String child, String content) {
        writeText(fs, new Path(staging, child), content);
    }

    /** Writes a UTF-8 text file, replacing any file of that name. */
    static void writeText(FileSystem fs, Path path, String content) {
        try (FSDataOutputStream out = fs.create(path, true)) {
            out.write(content.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + path, e);
        }
    }

    /** Moves the staging folder into place and writes _SUCCESS last. */
    public void commit() {
        try {
            if (fs.exists(target)) {
                if (!overwrite && fs.listStatus(target).length > 0) {
                    throw new ConfigError("--output " + target + ": appeared while the job ran; pass --overwrite to replace it");
                }
                fs.delete(target, true);
            }
            if (!fs.rename(staging, target)) {
                throw new IOException("rename " + staging + " -> " + target + " failed");
            }
            fs.create(new Path(target, Layout.SUCCESS), true).close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot commit output " + target, e);
        }
    }

    /** Removes the staging folder after a failure; the target is untouched. */
    public void abort() {
        try {
            fs.delete(staging, true);
        } catch (IOException e) {
            LOG.warn("Could not remove staging folder {}: {}", staging, e.toString());
        }
    }

    /** True when {@code output} holds a finished stage output (its _SUCCESS marker exists). */
    public static boolean isComplete(String output, Configuration hadoopConf) {
        try {
            Path path = new Path(output);
            return path.getFileSystem(hadoopConf).exists(new Path(path, Layout.SUCCESS));
        } catch (IOException e) {
            return false;
        }
    }
}
