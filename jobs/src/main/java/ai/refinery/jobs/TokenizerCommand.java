package ai.refinery.jobs;

import ai.refinery.core.output.StageRun;
import ai.refinery.core.spark.ParquetInputs;
import ai.refinery.training.tokenizer.TokenizerSettings;
import ai.refinery.training.tokenizer.TokenizerTrainer;
import com.typesafe.config.Config;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

@Command(name = "tokenizer", mixinStandardHelpOptions = true,
        description = {"Learns a byte-level BPE vocabulary from documents (a 'text' column; any stage output's data/) "
                + "as a Spark job: pre-token counting is distributed, merges are learned on the driver.",
                "Writes tokenizer.json (Hugging Face format; ids 0-5 are <|endoftext|>, <|pad|>, <|system|>, "
                        + "<|user|>, <|assistant|>, <|end|>), stats.json, manifest.json and _SUCCESS."},
        footer = {"%nExample:", "  refinery tokenizer --input out/filtered --output out/tok --set tokenizer.vocab_size=8192"})
final class TokenizerCommand extends StageCommand {
    static final String TOKENIZER_JSON = "tokenizer.json";

    @Mixin
    InputOptions input;

    @Override
    void validate(Config config) {
        TokenizerSettings.from(config);
    }

    @Override
    Result run(SparkSession spark, Config config, StageRun run) {
        TokenizerTrainer.Report report = TokenizerTrainer.fit(spark, ParquetInputs.read(spark, input.inputs),
                TokenizerSettings.from(config));
        try {
            run.writeText(TOKENIZER_JSON, report.tokenizer().toJson());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Object> stats = report.toMap();
        return new Result(stats, Map.of("documents", report.documents(), "vocab_size", report.tokenizer().vocabSize()),
                report.documents() + " documents, vocabulary of " + report.tokenizer().vocabSize());
    }
}
