package ai.refinery.core.build;

import ai.refinery.core.config.ConfigError;
import ai.refinery.core.output.Json;
import ai.refinery.core.output.Layout;
import ai.refinery.core.output.Manifest;
import ai.refinery.core.output.OutputPolicy;
import ai.refinery.core.output.StageOutput;
import ai.refinery.core.stage.Stage;
import ai.refinery.core.stage.StageContext;
import ai.refinery.core.stage.StageResult;
import ai.refinery.core.stage.StageRunner;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigRenderOptions;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs a {@link Plan} for one date: every stage's output goes to {@code <root>/<date>/<stage>/}; a stage whose output
 * is finished and whose {@link Fingerprint} matches is skipped; the others run in-process through the same
 * {@link Stage} and {@link StageRunner} that their command line builds. A file lock refuses a second build of the
 * same date; {@code build.json} beside the stages records each stage's outcome (ran, skipped, failed, not_run), time
 * and fingerprint, rewritten after every stage.
 */
public final class Build {
    private static final Logger LOG = LoggerFactory.getLogger(Build.class);

    /** The build manifest in {@code <root>/<date>/}. */
    public static final String MANIFEST = "build.json";
    /** The lock file in {@code <root>/<date>/}. */
    public static final String LOCK = "build.lock";

    private static final String UNFINISHED = "output not finished";

    /** Builds a command's stage from its command line: the one way the command line and a plan entry make a stage. */
    public interface Planner {
        Planned plan(String command, List<String> arguments);

        /** True for the options of a command whose values are input files or folders (listed in the fingerprint). */
        boolean isInput(String command, String option);
    }

    /** A stage as its command line describes it, and the runner's request for it. */
    public record Planned(Stage stage, StageRunner.Request request) {
    }

    /** One stage's line in build.json. */
    public record Outcome(String stage, String command, String outcome, double seconds, String fingerprint,
                          String output, String reason, Map<String, Object> counts) {
        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("stage", stage);
            m.put("command", command);
            m.put("outcome", outcome);
            m.put("seconds", Math.round(seconds * 1000) / 1000.0);
            m.put("fingerprint", fingerprint);
            m.put("output", output);
            m.put("reason", reason);
            if (counts != null) {
                m.put("counts", counts);
            }
            return m;
        }
    }

    /** Lock timing, from build.lock.* settings. */
    public record LockSettings(long heartbeatMs, long staleAfterMs) {
    }

    private final Plan plan;
    private final String root;
    private final String date;
    private final List<String> commandLineSettings;
    private final Planner planner;
    private final StageRunner runner;
    private final Configuration hadoop;
    private final LockSettings lock;
    private final PrintStream out;

    /**
     * @param commandLineSettings arguments added to every stage's command line after the plan's settings
     *                            ({@code --conf FILE}, {@code --set k=v}): the build command's own, which win
     */
    public Build(Plan plan, String root, String date, List<String> commandLineSettings, Planner planner,
                 StageRunner runner, Configuration hadoop, LockSettings lock, PrintStream out) {
        this.plan = plan;
        this.root = root;
        this.date = date;
        this.commandLineSettings = List.copyOf(commandLineSettings);
        this.planner = planner;
        this.runner = runner;
        this.hadoop = hadoop;
        this.lock = lock;
        this.out = out;
    }

    /** The folder of one date: {@code <root>/<date>}. */
    public String dateFolder() {
        return new Path(root, date).toString();
    }

    public String outputOf(String stage) {
        return new Path(dateFolder(), stage).toString();
    }

    /**
     * Plans and checks every stage (a bad setting anywhere fails before anything runs), takes the lock, then runs or
     * skips each stage in order. The first failure stops the build (later stages: not_run) and is rethrown after
     * build.json is written, so the exit code is that stage's.
     */
    public List<Outcome> run() throws Exception {
        Map<String, Planned> planned = new LinkedHashMap<>();
        for (Plan.Entry entry : plan.stages()) {
            planned.put(entry.name(), plan(entry));
        }
        Map<String, Object> about = new LinkedHashMap<>();
        about.put("plan", plan.source());
        about.put("date", date);
        String dateFolder = dateFolder();
        try (BuildLock held = BuildLock.acquire(hadoop, new Path(dateFolder, LOCK).toString(), about,
                lock.heartbeatMs(), lock.staleAfterMs())) {
            LOG.info("build {}: holding {}", date, held.path());
            return runStages(planned);
        }
    }

    private List<Outcome> runStages(Map<String, Planned> planned) throws Exception {
        String startedAt = Instant.now().toString();
        Map<String, Outcome> outcomes = new LinkedHashMap<>();
        Map<String, String> fingerprints = new LinkedHashMap<>();
        Exception failure = null;
        writeManifest(startedAt, null, "running", outcomes);
        for (Plan.Entry entry : plan.stages()) {
            Planned p = planned.get(entry.name());
            String output = outputOf(entry.name());
            if (failure != null) {
                outcomes.put(entry.name(), new Outcome(entry.name(), entry.command(), "not_run", 0, null, output,
                        "an earlier stage failed", null));
                continue;
            }
            long start = System.nanoTime();
            Fingerprint fingerprint = fingerprint(entry, p, fingerprints);
            fingerprints.put(entry.name(), fingerprint.hash());
            List<String> changes = changes(output, fingerprint);
            if (changes.isEmpty()) {
                double seconds = (System.nanoTime() - start) / 1e9;
                outcomes.put(entry.name(), new Outcome(entry.name(), entry.command(), "skipped", seconds,
                        fingerprint.hash(), output, "finished and the fingerprint matches", counts(output)));
                out.println("build " + date + ": " + entry.name() + " skipped (finished, fingerprint "
                        + fingerprint.hash().substring(0, 12) + " matches)");
                writeManifest(startedAt, null, "running", outcomes);
                continue;
            }
            OutputPolicy policy = OutputPolicy.OVERWRITE;
            if (changes.equals(List.of(UNFINISHED)) && p.stage().kind() == Stage.Kind.RUN_FOLDER
                    && fingerprint.differences(Fingerprint.parse(readText(new Path(output, Fingerprint.FILE)))).isEmpty()) {
                // A training run of the same fingerprint that did not finish (killed, failed): continue it from its
                // checkpoints, as --resume does, instead of starting over.
                Planned resumed = resumable(entry);
                if (resumed != null) {
                    p = resumed;
                    policy = OutputPolicy.RESUME;
                    changes = List.of(UNFINISHED + ": resuming from its checkpoints");
                }
            }
            String reason = String.join("; ", changes);
            out.println("build " + date + ": " + entry.name() + " runs (" + reason + ")");
            StageRunner.Request r = p.request();
            StageRunner.Request request = new StageRunner.Request(r.name(), r.arguments(), r.config(), output, policy);
            try {
                runner.run(new Fingerprinted(p.stage(), fingerprint), request);
                double seconds = (System.nanoTime() - start) / 1e9;
                outcomes.put(entry.name(), new Outcome(entry.name(), entry.command(), "ran", seconds,
                        fingerprint.hash(), output, reason, counts(output)));
                out.printf(Locale.ROOT, "build %s: %s ran in %.1f s%n", date, entry.name(), seconds);
            } catch (Exception | Error e) {
                double seconds = (System.nanoTime() - start) / 1e9;
                outcomes.put(entry.name(), new Outcome(entry.name(), entry.command(), "failed", seconds,
                        fingerprint.hash(), output, String.valueOf(e.getMessage()), null));
                out.println("build " + date + ": " + entry.name() + " failed: " + e.getMessage());
                if (e instanceof Error error) {
                    writeManifest(startedAt, Instant.now().toString(), "failed", outcomes);
                    throw error;
                }
                failure = (Exception) e;
            }
            writeManifest(startedAt, null, "running", outcomes);
        }
        writeManifest(startedAt, Instant.now().toString(), failure == null ? "finished" : "failed", outcomes);
        long ran = outcomes.values().stream().filter(o -> o.outcome().equals("ran")).count();
        long skipped = outcomes.values().stream().filter(o -> o.outcome().equals("skipped")).count();
        out.println("build " + date + ": " + (failure == null ? "finished" : "failed") + ", " + ran + " ran, "
                + skipped + " skipped -> " + new Path(dateFolder(), MANIFEST));
        if (failure != null) {
            throw failure;
        }
        return new ArrayList<>(outcomes.values());
    }

    /** The stage the entry describes, built and checked as its command line would be. */
    private Planned plan(Plan.Entry entry) {
        String where = "--plan " + plan.source() + ": stages." + entry.name() + " (" + entry.command() + "): ";
        Planned planned;
        try {
            planned = planner.plan(entry.command(), arguments(entry));
        } catch (ConfigError e) {
            throw new ConfigError(where + e.getMessage(), e);
        }
        if (planned.stage().kind() == Stage.Kind.NONE) {
            throw new ConfigError(where + "writes no output folder, so it cannot be a build stage");
        }
        try {
            planned.stage().check(planned.request().config());
        } catch (ConfigError e) {
            throw new ConfigError(where + e.getMessage(), e);
        }
        return planned;
    }

    /** The entry planned with --resume, or null when its command has no such option. */
    private Planned resumable(Plan.Entry entry) {
        List<String> args = new ArrayList<>(arguments(entry));
        args.add("--resume");
        try {
            return planner.plan(entry.command(), args);
        } catch (ConfigError e) {
            return null;
        }
    }

    /** The entry's command line: its options (references resolved to folders), --output, the settings. */
    List<String> arguments(Plan.Entry entry) {
        List<String> args = new ArrayList<>();
        entry.options().forEach((option, values) -> {
            for (String value : values) {
                if (value.equals("false")) {
                    continue;
                }
                args.add("--" + option);
                if (!value.equals("true")) {
                    args.add(Plan.Entry.isReference(value) ? outputOf(Plan.Entry.referenced(value)) : value);
                }
            }
        });
        args.add("--output");
        args.add(outputOf(entry.name()));
        addSettings(args, plan.settings());
        addSettings(args, entry.settings());
        args.addAll(commandLineSettings);
        return args;
    }

    private static void addSettings(List<String> args, Config settings) {
        settings.entrySet().forEach(e -> {
            args.add("--set");
            args.add(e.getKey() + "=" + e.getValue().render(ConfigRenderOptions.concise()));
        });
    }

    private Fingerprint fingerprint(Plan.Entry entry, Planned planned, Map<String, String> fingerprints) {
        Map<String, List<String>> inputs = new LinkedHashMap<>();
        Map<String, String> upstream = new LinkedHashMap<>();
        entry.options().forEach((option, values) -> {
            for (String value : values) {
                boolean reference = Plan.Entry.isReference(value);
                if (reference) {
                    upstream.put(Plan.Entry.referenced(value), fingerprints.get(Plan.Entry.referenced(value)));
                }
                if (reference || planner.isInput(entry.command(), option)) {
                    String path = reference ? outputOf(Plan.Entry.referenced(value)) : value;
                    for (String part : path.split(",")) {
                        if (!part.isBlank()) {
                            inputs.put("--" + option + " " + (reference ? value : part.trim()),
                                    Fingerprint.listing(hadoop, part.trim()));
                        }
                    }
                }
            }
        });
        return Fingerprint.of(entry.command(), entry.options(), planned.request().config(), inputs, upstream,
                Manifest.refineryVersion());
    }

    /** Why the stage must run; empty when its output is finished and its stored fingerprint matches. */
    private List<String> changes(String output, Fingerprint fingerprint) {
        if (!StageOutput.isComplete(output, hadoop)) {
            return List.of(exists(output) ? UNFINISHED : "no output yet");
        }
        String stored = readText(new Path(output, Fingerprint.FILE));
        if (stored == null) {
            return List.of("the output has no " + Fingerprint.FILE);
        }
        return fingerprint.differences(Fingerprint.parse(stored));
    }

    private boolean exists(String output) {
        try {
            Path path = new Path(output);
            return path.getFileSystem(hadoop).exists(path);
        } catch (IOException e) {
            return false;
        }
    }

    private Map<String, Object> counts(String output) {
        String manifest = readText(new Path(output, Layout.MANIFEST));
        if (manifest == null) {
            return null;
        }
        try {
            Object counts = Json.readMap(manifest).get("counts");
            if (counts instanceof Map<?, ?> m) {
                Map<String, Object> headline = new LinkedHashMap<>();
                for (String key : List.of("rows_in", "rows_out", "rows_rejected")) {
                    if (m.containsKey(key)) {
                        headline.put(key, m.get(key));
                    }
                }
                return headline;
            }
        } catch (RuntimeException e) {
            LOG.debug("unreadable manifest in {}", output, e);
        }
        return null;
    }

    private String readText(Path path) {
        try {
            FileSystem fs = path.getFileSystem(hadoop);
            if (!fs.exists(path)) {
                return null;
            }
            try (InputStream in = fs.open(path)) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            return null;
        }
    }

    /** build.json, replaced whole (written beside it, then renamed) so a reader never sees half of it. */
    private void writeManifest(String startedAt, String finishedAt, String outcome, Map<String, Outcome> outcomes) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("plan", plan.source());
        m.put("date", date);
        m.put("root", root);
        m.put("refinery", Manifest.refineryVersion());
        m.put("started_at", startedAt);
        m.put("finished_at", finishedAt);
        m.put("outcome", outcome);
        List<Map<String, Object>> stages = new ArrayList<>();
        for (Plan.Entry entry : plan.stages()) {
            Outcome o = outcomes.get(entry.name());
            if (o == null) {
                o = new Outcome(entry.name(), entry.command(), "pending", 0, null, outputOf(entry.name()), null, null);
            }
            Map<String, Object> line = o.toMap();
            line.put("upstream", entry.upstream());
            stages.add(line);
        }
        m.put("stages", stages);
        try {
            Path target = new Path(dateFolder(), MANIFEST);
            FileSystem fs = target.getFileSystem(hadoop);
            Path temp = new Path(dateFolder(), "." + MANIFEST + ".tmp");
            try (FSDataOutputStream o = fs.create(temp, true)) {
                o.write(Json.write(m).getBytes(StandardCharsets.UTF_8));
            }
            fs.delete(target, false);
            if (!fs.rename(temp, target)) {
                throw new IOException("rename " + temp + " -> " + target + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + MANIFEST + " in " + dateFolder(), e);
        }
    }

    /** The planned stage, storing its fingerprint with its output (committed with it) and in its manifest. */
    private record Fingerprinted(Stage stage, Fingerprint fingerprint) implements Stage {
        @Override
        public void check(Config config) {
            stage.check(config);
        }

        @Override
        public Kind kind() {
            return stage.kind();
        }

        @Override
        public boolean usesSpark() {
            return stage.usesSpark();
        }

        @Override
        public StageResult run(StageContext context) throws Exception {
            context.output().writeText(Fingerprint.FILE, fingerprint.toJson());
            context.manifest().put("fingerprint", fingerprint.hash());
            return stage.run(context);
        }

        @Override
        public void afterCommit(String target) {
            stage.afterCommit(target);
        }

        @Override
        public void afterAbort() {
            stage.afterAbort();
        }
    }
}
