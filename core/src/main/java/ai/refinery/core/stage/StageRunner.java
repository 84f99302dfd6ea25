package ai.refinery.core.stage;

import ai.refinery.core.output.Manifest;
import ai.refinery.core.output.Output;
import ai.refinery.core.output.OutputPolicy;
import ai.refinery.core.output.RunFolder;
import ai.refinery.core.output.StageRun;
import ai.refinery.core.spark.Progress;
import ai.refinery.core.spark.SparkProgress;
import ai.refinery.core.spark.SparkSessions;
import com.typesafe.config.Config;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.PrintStream;
import java.util.List;
import java.util.Objects;

/**
 * Runs any {@link Stage}, the same way for every command: check the settings before Spark starts, start Spark (if
 * the stage uses it), open the output (a stage output folder or a run folder), run, then commit with stats.json and
 * manifest.json carrying the common counts, or abort. Exceptions pass through unchanged, so the command line maps
 * them to exit codes (ConfigError 2, NoInputError 3, anything else 1).
 */
public final class StageRunner {
    private static final Logger LOG = LoggerFactory.getLogger(StageRunner.class);

    /** Starts the Spark session of a run (embedded local Spark, or the cluster's under spark-submit). */
    @FunctionalInterface
    public interface Engine {
        SparkSession start(String name, Config config);
    }

    /** What to run: the command's name and arguments (for the manifest), its configuration and output. */
    public record Request(String name, List<String> arguments, Config config, String output, OutputPolicy policy) {
        public Request {
            Objects.requireNonNull(name, "name");
            arguments = List.copyOf(arguments);
            Objects.requireNonNull(config, "config");
            Objects.requireNonNull(policy, "policy");
        }
    }

    /** A finished run: where its output is (null for stages without one) and what it reported. */
    public record Finished(String target, StageResult result) {
    }

    private final Engine engine;
    private final PrintStream out;

    public StageRunner(Engine engine, PrintStream out) {
        this.engine = engine;
        this.out = out;
    }

    /** The runner of the command line: Spark sessions from {@link SparkSessions}, summaries on stdout. */
    public static StageRunner standard() {
        return new StageRunner(SparkSessions::create, System.out);
    }

    public Finished run(Stage stage, Request request) throws Exception {
        String name = request.name();
        LOG.debug("{}: checking settings", name);
        stage.check(request.config());
        if (stage.kind() != Stage.Kind.NONE && request.output() == null) {
            throw new IllegalArgumentException(name + ": an output folder is required");
        }
        if (stage.kind() == Stage.Kind.STAGE_OUTPUT && request.policy() == OutputPolicy.RESUME) {
            throw new IllegalArgumentException(name + ": a stage output is written whole and cannot be resumed");
        }
        SparkSession spark = null;
        Configuration hadoop;
        if (stage.usesSpark()) {
            LOG.info("{}: starting Spark", name);
            spark = engine.start(name, request.config());
            hadoop = spark.sparkContext().hadoopConfiguration();
        } else {
            hadoop = new Configuration();
        }
        Output output = open(stage.kind(), request, hadoop);
        Context context = new Context(name, request.config(), spark, hadoop, output);
        boolean committed = false;
        try (SparkProgress progress = spark == null ? null : SparkProgress.start(spark, name)) {
            LOG.info("{}: running{}", name, output == null ? "" : " into " + output.target());
            StageResult result = stage.run(context);
            String target = null;
            if (output instanceof StageRun run) {
                LOG.info("{}: committing {}", name, run.target());
                target = run.finish(result.stats(), result.manifestCounts());
            } else if (output instanceof RunFolder folder) {
                target = folder.finish(result.stats(), result.manifestCounts());
            }
            committed = true;
            progressDone(progress);
            if (result.summary() != null) {
                out.println(name + ": " + result.summary() + (target == null ? "" : " -> " + target));
            }
            stage.afterCommit(target);
            return new Finished(target, result);
        } catch (Exception | Error e) {
            // Exception, not only RuntimeException: Spark rethrows failed jobs as a checked SparkException.
            if (!committed) {
                if (output instanceof StageRun run) {
                    run.abort();
                } else if (output instanceof RunFolder folder) {
                    folder.abort(e);
                }
                stage.afterAbort();
            }
            throw e;
        }
    }

    private static void progressDone(SparkProgress progress) {
        if (progress != null) {
            progress.close();
        }
    }

    private static Output open(Stage.Kind kind, Request request, Configuration hadoop) {
        return switch (kind) {
            case NONE -> null;
            case STAGE_OUTPUT -> StageRun.open(hadoop, manifest(request), request.output(),
                    request.policy() == OutputPolicy.OVERWRITE);
            case RUN_FOLDER -> RunFolder.open(hadoop, manifest(request), request.output(), request.policy());
        };
    }

    private static Manifest manifest(Request request) {
        return new Manifest(request.name(), request.arguments(), request.config());
    }

    private record Context(String name, Config config, SparkSession session, Configuration hadoop, Output out)
            implements StageContext {
        @Override
        public SparkSession spark() {
            if (session == null) {
                throw new IllegalStateException(name + " declared that it does not use Spark");
            }
            return session;
        }

        @Override
        public Output output() {
            if (out == null) {
                throw new IllegalStateException(name + " writes no output");
            }
            return out;
        }

        @Override
        public Progress progress(String step, long totalRows) {
            return Progress.standard(name + ": " + step, totalRows);
        }
    }
}
