package ai.refinery.jobs;

import ai.refinery.core.build.Build;
import ai.refinery.core.build.Plan;
import ai.refinery.core.config.ConfigError;
import ai.refinery.core.config.Section;
import ai.refinery.core.stage.StageRunner;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;

@Command(name = "build", mixinStandardHelpOptions = true,
        description = {"Runs a build plan for one date: the stages the plan names (filter, dedup, tokenize, pretrain, ...), "
                + "each into <root>/<date>/<stage>/, in-process on one Spark session. A stage whose output is finished "
                + "and whose fingerprint (resolved settings, input files, upstream fingerprints, version) matches is "
                + "skipped; a change re-runs that stage and everything downstream of it.",
                "Writes <root>/<date>/build.json (each stage: ran, skipped, failed or not_run, seconds, fingerprint). "
                        + "A lock file (<root>/<date>/build.lock) refuses a second build of the same date (exit 2).",
                "--conf and --set apply to every stage, over the plan's settings."},
        footer = {"%nExamples:",
                "  refinery build --plan conf/plans/sample.conf --date 2024-10-01",
                "  refinery build --plan nightly.conf --date 2024-10-01 --root hdfs:///refinery/builds"})
final class BuildCommand implements Callable<Integer> {
    private static final Pattern DATE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    @Mixin
    ConfigOptions configOptions;

    @Option(names = "--plan", required = true, paramLabel = "FILE", description = "The build plan (HOCON), e.g. conf/plans/sample.conf.")
    File plan;

    @Option(names = "--date", required = true, paramLabel = "DATE",
            description = "The build's date or name (e.g. 2024-10-01, CC-MAIN-2024-10): the folder under the root; $${date} in the plan.")
    String date;

    @Option(names = "--root", paramLabel = "DIR",
            description = "Where builds go (any Hadoop FS URI; default: the build.root setting): $${root} in the plan.")
    String root;

    @Override
    public Integer call() throws Exception {
        if (!DATE.matcher(date).matches()) {
            throw new ConfigError("--date " + date + ": use letters, digits, '.', '-' and '_' (it is a folder name)");
        }
        Config config = configOptions.config(List.of());
        Section lock = new Section(config, "build.lock");
        long heartbeat = lock.longAtLeast("heartbeat_s", 1) * 1000;
        long stale = lock.longAtLeast("stale_after_s", 1) * 1000;
        if (stale <= heartbeat) {
            throw ConfigError.forKey("build.lock.stale_after_s", "must be larger than build.lock.heartbeat_s");
        }
        Configuration hadoop = hadoop(config);
        String rootPath = qualified(root != null ? root : new Section(config, "build").string("root"), hadoop);
        Plan parsed = Plan.load(plan, rootPath, date);
        List<String> commandLine = new ArrayList<>();
        if (configOptions.confFile != null) {
            commandLine.add("--conf");
            commandLine.add(configOptions.confFile.getPath());
        }
        for (String override : configOptions.overrides) {
            commandLine.add("--set");
            commandLine.add(override);
        }
        new Build(parsed, rootPath, date, commandLine, new Planner(), StageRunner.standard(), hadoop,
                new Build.LockSettings(heartbeat, stale), System.out).run();
        return Refinery.EXIT_OK;
    }

    /** Parses a plan entry's command line with the command's own class, so both build the same stage. */
    static final class Planner implements Build.Planner {
        @Override
        public Build.Planned plan(String command, List<String> arguments) {
            List<String> all = new ArrayList<>();
            all.add(command);
            all.addAll(arguments);
            CommandLine.ParseResult result;
            try {
                result = new CommandLine(new Refinery()).parseArgs(all.toArray(new String[0]));
            } catch (CommandLine.ParameterException e) {
                throw new ConfigError(e.getMessage(), e);
            }
            Object parsed = result.hasSubcommand() ? result.subcommand().commandSpec().userObject() : null;
            if (!(parsed instanceof StageCommand stageCommand)) {
                throw new ConfigError("'" + command + "' is not a command that writes a stage output");
            }
            return stageCommand.planned();
        }

        /** Options marked {@link InputPath} on the command: their listing is part of the fingerprint. */
        @Override
        public boolean isInput(String command, String option) {
            CommandLine sub = new CommandLine(new Refinery()).getSubcommands().get(command);
            CommandLine.Model.OptionSpec spec = sub == null ? null : sub.getCommandSpec().findOption("--" + option);
            return spec != null && spec.userObject() instanceof java.lang.reflect.Field field
                    && field.isAnnotationPresent(InputPath.class);
        }
    }

    /** The Hadoop configuration of the lock and the input listings: the classpath's, plus spark.hadoop.* settings. */
    static Configuration hadoop(Config config) {
        Configuration hadoop = new Configuration();
        for (Map.Entry<String, ConfigValue> entry : config.getConfig("spark.conf").entrySet()) {
            String key = String.join(".", ConfigUtil.splitPath(entry.getKey()));
            if (key.startsWith("spark.hadoop.")) {
                hadoop.set(key.substring("spark.hadoop.".length()), String.valueOf(entry.getValue().unwrapped()));
            }
        }
        return hadoop;
    }

    private static String qualified(String root, Configuration hadoop) {
        try {
            Path path = new Path(root);
            return path.getFileSystem(hadoop).makeQualified(path).toString();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot use --root " + root, e);
        } catch (IllegalArgumentException e) {
            throw new ConfigError("--root " + root + ": " + e.getMessage(), e);
        }
    }
}
