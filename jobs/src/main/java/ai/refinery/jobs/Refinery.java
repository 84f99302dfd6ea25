package ai.refinery.jobs;

import ai.refinery.core.config.ConfigError;
import ai.refinery.core.config.NoInputError;
import ai.refinery.core.output.Manifest;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code refinery} command line. The same class is the spark-submit main class:
 * {@code spark-submit --class ai.refinery.jobs.Refinery refinery-<version>.jar filter --input ... --output ...}.
 *
 * <p>Exit codes: 0 success; 2 bad usage or configuration (the message names the option or key); 3 no readable
 * input; 1 any other failure.
 */
@Command(name = "refinery", mixinStandardHelpOptions = true, versionProvider = Refinery.Version.class,
        description = "Turns raw web crawl into language-model training data, as Apache Spark jobs.%n"
                + "Runs on embedded local Spark by default; under spark-submit on the cluster it is given.",
        subcommands = {FilterCommand.class, DedupCommand.class, BiosCommand.class, RephraseCommand.class, TokenizerCommand.class,
                SftDataCommand.class, TokenizeCommand.class, PretrainCommand.class, SftCommand.class, GenerateCommand.class,
                ServeCommand.class, ScoreCommand.class, EvalQaCommand.class, TokenShiftCommand.class, KnowledgeCommand.class,
                SelectCommand.class, BuildCommand.class, ReportCommand.class,
                CommandLine.HelpCommand.class},
        footer = {"%nExit codes: 0 success, 2 bad usage or configuration, 3 no readable input, 1 other failure.",
                "Run 'refinery <command> --help' for the options of a command."})
public final class Refinery implements Runnable {
    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILURE = 1;
    public static final int EXIT_USAGE = 2;
    public static final int EXIT_NO_INPUT = 3;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }

    public static void main(String[] args) {
        int code = execute(args);
        SparkSession.getActiveSession().foreach(session -> {
            session.stop();
            return null;
        });
        System.exit(code);
    }

    /** Runs a command line and returns its exit code (the Spark session, if any, stays open for reuse). */
    public static int execute(String... args) {
        CommandLine cli = new CommandLine(new Refinery());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof ConfigError) {
                commandLine.getErr().println("refinery: " + e.getMessage());
                return EXIT_USAGE;
            }
            if (e instanceof NoInputError) {
                commandLine.getErr().println("refinery: " + e.getMessage());
                return EXIT_NO_INPUT;
            }
            commandLine.getErr().println("refinery: failed: " + e);
            e.printStackTrace(commandLine.getErr());
            return EXIT_FAILURE;
        });
        cli.setExitCodeExceptionMapper(e -> EXIT_USAGE);
        return cli.execute(args);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"refinery " + Manifest.refineryVersion()};
        }
    }
}
