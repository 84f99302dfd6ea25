package ai.refinery.jobs;

import ai.refinery.pipeline.spark.FilterJob;
import ai.refinery.core.spark.SparkSessions;
import com.typesafe.config.Config;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "filter", mixinStandardHelpOptions = true,
        description = {"Filters a crawl dump the RefinedWeb/FineWeb way: URL blocklist, text extraction, language ID, "
                + "Gopher repetition and quality, C4 and FineWeb quality, line-wise cleanup.",
                "Reads WARC (.warc, .warc.gz), WET, JSONL, plain text and Parquet. Writes data/ (kept documents), "
                        + "rejected/ (each with stage and reason), stats.json (the funnel), manifest.json and _SUCCESS."},
        footer = {"%nExamples:",
                "  refinery filter --input crawl/*.warc.gz --output out/filtered",
                "  refinery filter --input docs.jsonl --output out/f --set filter.language.keep=[en,de] --overwrite"})
public final class FilterCommand implements Callable<Integer> {
    @Mixin
    InputOptions input;

    @Mixin
    ConfigOptions configOptions;

    @Mixin
    OutputOptions output;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        Config config = configOptions.config(List.of());
        FilterJob.pipeline(config); // every stage's settings checked before Spark starts
        SparkSession spark = SparkSessions.create("filter", config);
        FilterJob.Report report = FilterJob.run(spark, new FilterJob.Request(input.inputs, output.output,
                output.overwrite, config, "filter", spec.commandLine().getParseResult().originalArgs()));
        System.out.printf("filter: %,d documents in, %,d kept, %,d rejected%s -> %s%n", report.documentsIn(),
                report.documentsKept(), report.documentsRejected(),
                report.unreadableFiles().isEmpty() ? "" : ", " + report.unreadableFiles().size() + " unreadable file(s)",
                report.output());
        return Refinery.EXIT_OK;
    }
}
