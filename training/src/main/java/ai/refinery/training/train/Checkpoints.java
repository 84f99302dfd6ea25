package ai.refinery.training.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checkpoints of a run on any Hadoop file system: {@code <dir>/step-000001200/} holding model.zip (DL4J
 * ModelSerializer: configuration, parameters and the optimizer state), state.json (step, tokens, data
 * position) and metrics.json (the metrics rows up to that step, so a run resumed after a crash has its whole
 * history whatever happened to metrics/). A checkpoint is written under a temporary name and renamed when
 * complete, so a crash never leaves a half-written checkpoint with a valid name. Only the newest {@code keep}
 * are kept.
 */
public final class Checkpoints {
    public static final String MODEL = "model.zip";
    public static final String STATE = "state.json";
    public static final String METRICS = "metrics.json";
    private static final String PREFIX = "step-";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Where training stands: optimizer steps, tokens consumed, windows consumed (the data position). */
    public record State(long step, long tokens, long position) {
    }

    /** A loaded checkpoint; {@code metrics} is empty for checkpoints written before they carried it. */
    public record Loaded(ComputationGraph model, State state, String path, List<MetricRow> metrics) {
    }

    private final Path dir;
    private final FileSystem fs;
    private final int keep;

    public Checkpoints(String dir, Configuration hadoop, int keep) {
        this.dir = new Path(dir);
        this.keep = keep;
        try {
            this.fs = this.dir.getFileSystem(hadoop);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes a checkpoint and prunes old ones; returns its path. */
    public String save(ComputationGraph model, State state, List<MetricRow> metrics) {
        String name = String.format("%s%09d", PREFIX, state.step());
        Path tmp = new Path(dir, "_tmp-" + name);
        Path done = new Path(dir, name);
        try {
            fs.delete(tmp, true);
            fs.mkdirs(tmp);
            try (FSDataOutputStream out = fs.create(new Path(tmp, MODEL), true)) {
                ModelSerializer.writeModel(model, out, true);
            }
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("step", state.step());
            s.put("tokens", state.tokens());
            s.put("position", state.position());
            try (FSDataOutputStream out = fs.create(new Path(tmp, STATE), true)) {
                out.write(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(s));
            }
            try (FSDataOutputStream out = fs.create(new Path(tmp, METRICS), true)) {
                out.write(JSON.writeValueAsBytes(metrics));
            }
            fs.delete(done, true);
            if (!fs.rename(tmp, done)) {
                throw new IOException("cannot rename " + tmp + " to " + done);
            }
            List<Path> all = list();
            for (int i = 0; i + keep < all.size(); i++) {
                fs.delete(all.get(i), true);
            }
            return done.toString();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + done, e);
        }
    }

    /** Complete checkpoints, oldest first. */
    public List<Path> list() {
        try {
            if (!fs.exists(dir)) {
                return List.of();
            }
            List<Path> out = new ArrayList<>();
            for (FileStatus st : fs.listStatus(dir)) {
                String n = st.getPath().getName();
                if (st.isDirectory() && n.startsWith(PREFIX) && n.substring(PREFIX.length()).matches("\\d+")) {
                    out.add(st.getPath());
                }
            }
            out.sort(Comparator.comparing(Path::getName));
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Optional<String> latestPath() {
        List<Path> all = list();
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1).toString());
    }

    public Optional<Loaded> loadLatest() {
        return latestPath().map(this::load);
    }

    public Loaded load(String checkpoint) {
        Path p = new Path(checkpoint);
        try {
            ComputationGraph model;
            try (InputStream in = fs.open(new Path(p, MODEL))) {
                model = ModelSerializer.restoreComputationGraph(in, true);
            }
            Map<?, ?> s;
            try (InputStream in = fs.open(new Path(p, STATE))) {
                s = JSON.readValue(in, Map.class);
            }
            State state = new State(((Number) s.get("step")).longValue(), ((Number) s.get("tokens")).longValue(),
                    ((Number) s.get("position")).longValue());
            List<MetricRow> metrics = List.of();
            if (fs.exists(new Path(p, METRICS))) {
                try (InputStream in = fs.open(new Path(p, METRICS))) {
                    metrics = List.of(JSON.readValue(in, MetricRow[].class));
                }
            }
            return new Loaded(model, state, p.toString(), metrics);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoint " + p, e);
        }
    }
}
