package ai.refinery.training.pack;

import ai.refinery.core.config.ConfigError;
import ai.refinery.core.outcome.Counts;
import ai.refinery.core.output.Layout;
import ai.refinery.core.sft.SftSettings;
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
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tokenize stage: documents ({@code rows_in}) encoded and packed into windows ({@code rows_out}) under
 * data/split=train and data/split=validation, with a copy of the tokenizer (tokenizer.json, tokenizer_config.json).
 * Instruction rows (a {@code messages} column, the SFT row contract) are packed through the chat template, several
 * conversations per window or one ({@code sft.packing}), with {@code loss_mask} and {@code segment} columns
 * ({@link SftPacker}).
 */
public final class TokenizeStage implements Stage {
    /** The column that marks instruction (SFT) rows. */
    static final String MESSAGES = "messages";

    private final List<String> inputs;
    private final String tokenizer;
    /** Packed pretraining windows to replay into instruction data, or null. */
    private final String replay;

    /** @param tokenizer the tokenizer stage's output folder, or a tokenizer.json file */
    public TokenizeStage(List<String> inputs, String tokenizer) {
        this(inputs, tokenizer, null);
    }

    /** @param replay the tokenize output of pretraining data to replay into instruction rows ({@link ReplayWindows}) */
    public TokenizeStage(List<String> inputs, String tokenizer, String replay) {
        this.inputs = List.copyOf(inputs);
        this.tokenizer = tokenizer;
        this.replay = replay;
    }

    @Override
    public void check(Config config) {
        PackSettings.from(config);
        SftSettings.from(config);
        ReplayWindows.Settings.from(config);
    }

    @Override
    public StageResult run(StageContext context) throws IOException {
        BpeTokenizer tok = loadTokenizer(context.hadoop());
        Output out = context.output();
        // The packed data carries its tokenizer, so training and serving use the very vocabulary it was cut with;
        // tokenizer_config.json carries the chat template for Hugging Face loaders.
        out.writeText(Layout.TOKENIZER_JSON, tok.toJson());
        out.writeText(BpeTokenizer.CONFIG_FILE, tok.configJson());
        Dataset<Row> input = ParquetInputs.read(context.spark(), inputs);
        if (Arrays.asList(input.columns()).contains(MESSAGES)) {
            return packConversations(context, input, tok, out);
        }
        if (replay != null) {
            throw new ConfigError("--replay mixes pretraining windows into instruction rows, and the input has no "
                    + MESSAGES + " column");
        }
        PackResult packed = Packer.run(context.spark(), input, tok, PackSettings.from(context.config()));
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

    /** Instruction rows (a messages column): windows of conversations with the loss mask of the template. */
    private StageResult packConversations(StageContext context, Dataset<Row> rows, BpeTokenizer tok, Output out) {
        SftPackResult packed;
        try {
            packed = SftPacker.run(context.spark(), rows, tok, PackSettings.from(context.config()),
                    SftSettings.from(context.config()));
        } catch (IllegalArgumentException e) {
            throw new ConfigError("--tokenizer " + tokenizer + ": " + e.getMessage(), e);
        }
        try {
            SftPackStats stats = packed.stats();
            Dataset<Row> windows = packed.windows();
            Map<String, Object> figures = new LinkedHashMap<>(stats.toMap());
            Map<String, Object> headline = new LinkedHashMap<>(Map.of("tokens", stats.tokens(), "windows",
                    stats.windows(), "tokens_target", stats.targetTokens()));
            long replayed = 0;
            if (replay != null) {
                // windows and windows_train stay the conversations'; rows_out counts the replayed windows too
                ReplayWindows.Result r = ReplayWindows.mix(context.spark(), windows, stats.trainWindows(), replay, tok,
                        PackSettings.from(context.config()).contextLength(), ReplayWindows.Settings.from(context.config()));
                windows = r.windows();
                replayed = r.replayed();
                figures.put("windows_replay", replayed);
                figures.put("replay", r.stats());
                headline.put("windows_replay", replayed);
            }
            windows.write().partitionBy("split").parquet(out.path(Layout.DATA));
            return new StageResult(Counts.of(stats.conversations(), stats.windows() + replayed), figures, headline,
                    stats.conversations() + " conversations, " + stats.targetTokens() + " target tokens, "
                            + stats.windows() + " windows (" + stats.packing() + ")"
                            + (replay == null ? "" : ", " + replayed + " replayed"));
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
