package ai.refinery.jobs;

import ai.refinery.core.config.ConfigError;
import ai.refinery.core.output.StageOutput;
import ai.refinery.core.output.StageRun;
import ai.refinery.core.spark.ParquetInputs;
import ai.refinery.training.pack.PackResult;
import ai.refinery.training.pack.PackSettings;
import ai.refinery.training.pack.PackStats;
import ai.refinery.training.pack.Packer;
import ai.refinery.training.tokenizer.BpeTokenizer;
import com.typesafe.config.Config;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = {"Tokenizes documents and packs them into fixed windows for pretraining: each document ends "
                + "with <|endoftext|>, windows hold pack.context_length + 1 tokens, whole documents are held out "
                + "for validation, and windows are shuffled globally with pack.seed.",
                "Writes data/split=train/ and data/split=validation/ (columns window_id, stream_offset, tokens), "
                        + "tokenizer.json (a copy of the tokenizer used), stats.json (documents, tokens, windows and the data budget D'), manifest.json, _SUCCESS."},
        footer = {"%nExample:", "  refinery tokenize --input out/filtered --tokenizer out/tok --output out/packed"})
final class TokenizeCommand extends StageCommand {
    @Mixin
    InputOptions input;

    @Option(names = "--tokenizer", required = true, paramLabel = "DIR",
            description = "The output folder of 'refinery tokenizer' (or a tokenizer.json file).")
    String tokenizer;

    @Override
    void validate(Config config) {
        PackSettings.from(config);
    }

    @Override
    Result run(SparkSession spark, Config config, StageRun run) {
        BpeTokenizer tok = loadTokenizer(spark);
        // The packed data carries its tokenizer, so training and serving use the very vocabulary it was cut with.
        try {
            run.writeText(TokenizerCommand.TOKENIZER_JSON, tok.toJson());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        PackResult packed = Packer.run(spark, ParquetInputs.read(spark, input.inputs), tok, PackSettings.from(config));
        try {
            packed.windows().write().partitionBy("split").parquet(run.path(StageOutput.DATA));
            PackStats stats = packed.stats();
            return new Result(stats.toMap(), Map.of("documents", stats.documents(), "tokens", stats.tokens(),
                    "windows", stats.windows()), stats.documents() + " documents, " + stats.tokens() + " tokens, "
                    + stats.windows() + " windows");
        } finally {
            packed.release();
        }
    }

    private BpeTokenizer loadTokenizer(SparkSession spark) {
        Path path = new Path(tokenizer);
        try {
            var fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
            if (fs.getFileStatus(path).isDirectory()) {
                path = new Path(path, TokenizerCommand.TOKENIZER_JSON);
            }
            try (FSDataInputStream in = fs.open(path)) {
                return BpeTokenizer.fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8), path.toString());
            }
        } catch (IOException e) {
            throw new ConfigError("--tokenizer " + tokenizer + ": " + e.getMessage(), e);
        }
    }
}
