package ai.refinery.training.pack;

import ai.refinery.core.config.ConfigError;
import ai.refinery.core.outcome.Counts;
import ai.refinery.core.output.Layout;
import ai.refinery.core.output.Output;
import ai.refinery.core.spark.ParquetInputs;
import ai.refinery.core.stage.Stage;
import ai.refinery.core.stage.StageContext;
import ai.refinery.core.stage.StageResult;
import ai.refinery.training.tokenizer.BpeTokenizer;
import com.typesafe.config.Config;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tokenize stage: documents ({@code rows_in}) encoded and packed into windows ({@code rows_out}) under
 * data/split=train and data/split=validation, with a copy of the tokenizer (tokenizer.json).
 */
public final class TokenizeStage implements Stage {
    private final List<String> inputs;
    private final String tokenizer;

    /** @param tokenizer the tokenizer stage's output folder, or a tokenizer.json file */
    public TokenizeStage(List<String> inputs, String tokenizer) {
        this.inputs = List.copyOf(inputs);
        this.tokenizer = tokenizer;
    }

    @Override
    public void check(Config config) {
        PackSettings.from(config);
    }

    @Override
    public StageResult run(StageContext context) throws IOException {
        BpeTokenizer tok = loadTokenizer(context.hadoop());
        Output out = context.output();
        // The packed data carries its tokenizer, so training and serving use the very vocabulary it was cut with.
        out.writeText(Layout.TOKENIZER_JSON, tok.toJson());
        PackResult packed = Packer.run(context.spark(), ParquetInputs.read(context.spark(), inputs), tok,
                PackSettings.from(context.config()));
        try {
            packed.windows().write().partitionBy("split").parquet(out.path(Layout.DATA));
            PackStats stats = packed.stats();
            Map<String, Object> figures = new LinkedHashMap<>(stats.toMap());
            figures.remove("documents");
            return new StageResult(Counts.of(stats.documents(), stats.windows()), figures,
                    Map.of("tokens", stats.tokens(), "windows", stats.windows()), stats.documents() + " documents, "
                    + stats.tokens() + " tokens, " + stats.windows() + " windows");
        } finally {
            packed.release();
        }
    }

    private BpeTokenizer loadTokenizer(Configuration hadoop) {
        Path path = new Path(tokenizer);
        try {
            FileSystem fs = path.getFileSystem(hadoop);
            if (fs.getFileStatus(path).isDirectory()) {
                path = new Path(path, Layout.TOKENIZER_JSON);
            }
            try (FSDataInputStream in = fs.open(path)) {
                return BpeTokenizer.fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8), path.toString());
            }
        } catch (IOException e) {
            throw new ConfigError("--tokenizer " + tokenizer + ": " + e.getMessage(), e);
        }
    }
}
