package ai.refinery.training.tokenizer;

import ai.refinery.core.outcome.Counts;
import ai.refinery.core.output.Layout;
import ai.refinery.core.spark.ParquetInputs;
import ai.refinery.core.stage.Stage;
import ai.refinery.core.stage.StageContext;
import ai.refinery.core.stage.StageResult;
import com.typesafe.config.Config;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The tokenizer stage: learns a vocabulary from documents ({@code rows_in}) and writes tokenizer.json (no rows). */
public final class TokenizerStage implements Stage {
    private final List<String> inputs;

    public TokenizerStage(List<String> inputs) {
        this.inputs = List.copyOf(inputs);
    }

    @Override
    public void check(Config config) {
        TokenizerSettings.from(config);
    }

    @Override
    public StageResult run(StageContext context) throws IOException {
        TokenizerTrainer.Report report = TokenizerTrainer.fit(context.spark(),
                ParquetInputs.read(context.spark(), inputs), TokenizerSettings.from(context.config()));
        context.output().writeText(Layout.TOKENIZER_JSON, report.tokenizer().toJson());
        context.output().writeText(BpeTokenizer.CONFIG_FILE, report.tokenizer().configJson());
        Map<String, Object> figures = new LinkedHashMap<>(report.toMap());
        figures.remove("documents");
        return new StageResult(Counts.of(report.documents(), 0), figures,
                Map.of("vocab_size", report.tokenizer().vocabSize()),
                report.documents() + " documents, vocabulary of " + report.tokenizer().vocabSize());
    }
}
