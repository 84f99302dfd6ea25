package ai.refinery.training.train;

import ai.refinery.core.output.Layout;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * A training run folder on any Hadoop file system (the names are {@link Layout}'s):
 * <pre>
 * model.json       the model settings (model section of the configuration)
 * tokenizer.json   the tokenizer the data was packed with
 * checkpoints/     step-N/ (model.zip with the optimizer state, state.json), see {@link Checkpoints}
 * metrics/         Parquet: step, tokens, loss, val_loss, lr, tokens_per_s, see {@link MetricsTable}
 * manifest.json    command, settings, data, outcome and counts
 * </pre>
 * Unlike a stage's output a run folder is continued in place (resume), not replaced.
 */
public final class RunFolder {
    public static final String MODEL_JSON = Layout.MODEL_JSON;
    public static final String TOKENIZER_JSON = Layout.TOKENIZER_JSON;
    public static final String CHECKPOINTS = Layout.CHECKPOINTS;
    public static final String METRICS = Layout.METRICS;
    public static final String MANIFEST = Layout.MANIFEST;

    private final Path root;
    private final FileSystem fs;
    private final Configuration hadoop;

    public RunFolder(String uri, Configuration hadoop) {
        this.hadoop = hadoop;
        try {
            Path p = new Path(uri);
            this.fs = p.getFileSystem(hadoop);
            this.root = fs.makeQualified(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String uri() {
        return root.toString();
    }

    public Checkpoints checkpoints(int keep) {
        return new Checkpoints(new Path(root, CHECKPOINTS).toString(), hadoop, keep);
    }

    public String metrics() {
        return new Path(root, METRICS).toString();
    }

    /** True when the folder holds checkpoints of an earlier run. */
    public boolean hasCheckpoints() {
        try {
            return fs.exists(new Path(root, CHECKPOINTS));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes the folder's contents (a run started over). */
    public void clear() {
        try {
            fs.delete(root, true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root, e);
        }
    }

    public void write(String name, String content) {
        Path p = new Path(root, name);
        try {
            fs.mkdirs(root);
            try (FSDataOutputStream out = fs.create(p, true)) {
                out.write(content.getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + p, e);
        }
    }

    public Optional<String> read(String name) {
        Path p = new Path(root, name);
        try {
            if (!fs.exists(p)) {
                return Optional.empty();
            }
            try (InputStream in = fs.open(p)) {
                return Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + p, e);
        }
    }
}
