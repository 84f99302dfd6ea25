package ai.refinery.jobs;

import ai.refinery.core.stage.Stage;
import ai.refinery.pipeline.spark.FilterJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "filter", mixinStandardHelpOptions = true,
        description = {"Filters a crawl dump the RefinedWeb/FineWeb way: URL blocklist, text extraction, language ID, "
                + "Gopher repetition and quality, C4 and FineWeb quality, line-wise cleanup.",
                "Reads WARC (.warc, .warc.gz), WET, JSONL, plain text and Parquet. Writes data/ (kept documents), "
                        + "rejected/ (each with stage and reason), stats.json (the funnel), manifest.json and _SUCCESS."},
        footer = {"%nExamples:",
                "  refinery filter --input crawl/*.warc.gz --output out/filtered",
                "  refinery filter --input docs.jsonl --output out/f --set filter.language.keep=[en,de] --overwrite"})
public final class FilterCommand extends OutputStageCommand {
    @Mixin
    InputOptions input;

    @Override
    Stage stage() {
        return new FilterJob(input.inputs);
    }
}
