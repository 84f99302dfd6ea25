package ai.refinery.jobs;

import ai.refinery.core.report.ReportStage;
import ai.refinery.core.stage.Stage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Writes one self-contained HTML report (inline SVG, nothing fetched) of a build folder "
                + "(<root>/<date>/, with build.json) or of one stage output: rows per stage, rejections per stage and "
                + "reason, the filter's funnel, languages, dedup cluster sizes, tokens and the data budget, and training "
                + "loss curves. Every number is read from the stages' stats.json (cluster sizes from dedup's data/, "
                + "curves from metrics/)."},
        footer = {"%nExamples:", "  refinery report builds/2024-10-01 --output report.html",
                "  refinery report out/filtered --output filtered.html --overwrite"})
final class ReportCommand extends StageCommand {
    @Parameters(index = "0", paramLabel = "FOLDER", description = "A build folder (<root>/<date>) or a stage output folder.")
    String folder;

    @Option(names = "--output", required = true, paramLabel = "FILE", description = "The HTML file to write (any Hadoop FS URI).")
    String output;

    @Option(names = "--overwrite", description = "Replace an existing file (default: refuse with exit 2).")
    boolean overwrite;

    @Override
    Stage stage() {
        return new ReportStage(folder, output, overwrite);
    }
}
