package ai.refinery.training.pack;

import ai.refinery.core.config.ConfigError;
import ai.refinery.core.config.Section;
import ai.refinery.core.output.Layout;
import ai.refinery.core.spark.ParquetInputs;
import ai.refinery.training.tokenizer.BpeTokenizer;
import com.typesafe.config.Config;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_repeat;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.xxhash64;

/**
 * Pretraining replay for supervised fine-tuning ({@code refinery tokenize --replay <packed pretraining data>}):
 * packed pretraining windows join the SFT training windows at a share of {@code sft.mix.replay_fraction} (InstructGPT's
 * "mix pretraining data into SFT" regulariser; anchors: about 5%), each with a loss mask of all ones, so it trains
 * exactly as in pretraining. The windows replayed are the pretraining train windows with the smallest seeded hash of
 * their window_id ({@code sft.mix.seed}); then every window is renumbered in one seeded order, so replayed windows
 * are spread through the epoch. Validation windows stay conversations only: validation loss measures the SFT task.
 *
 * <p>The replayed data must have been packed with the same tokenizer (its tokenizer.json is compared) and the same
 * context length, or the ids would mean other tokens.
 */
public final class ReplayWindows {
    /** Windows with the replayed ones, and figures for stats.json. */
    public record Result(Dataset<Row> windows, long replayed, Map<String, Object> stats) {
    }

    /**
     * @param fraction share of the training windows that are replayed
     * @param seed     seed of the choice and the order
     */
    public record Settings(double fraction, long seed) {
        public static Settings from(Config config) {
            Section s = new Section(config, "sft.mix");
            double fraction = s.doubleIn("replay_fraction", 0.0, 0.9);
            return new Settings(fraction, s.longAtLeast("seed", Long.MIN_VALUE));
        }
    }

    private ReplayWindows() {
    }

    /**
     * @param sftWindows the windows of {@link SftPacker} ({@link SftPacker#SCHEMA})
     * @param sftTrain   how many of them are training windows
     * @param replay     the output folder of {@code refinery tokenize} on documents
     */
    public static Result mix(SparkSession spark, Dataset<Row> sftWindows, long sftTrain, String replay, BpeTokenizer tok,
                             int contextLength, Settings settings) {
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        checkTokenizer(hadoop, replay, tok);
        Dataset<Row> packed = ParquetInputs.read(spark, List.of(replay));
        List<String> columns = Arrays.asList(packed.columns());
        if (!columns.containsAll(List.of("window_id", "split", "tokens")) || columns.contains(SftPacker.LOSS_MASK)) {
            throw new ConfigError("--replay " + replay + ": not packed pretraining windows (window_id, split, tokens "
                    + "without a loss_mask); give the output of 'refinery tokenize' on documents");
        }
        Dataset<Row> train = packed.where(col("split").equalTo(PackResult.TRAIN));
        long available = train.count();
        double f = settings.fraction();
        long wanted = Math.round(f / (1 - f) * sftTrain);
        long replayed = Math.min(wanted, available);
        long seed = settings.seed();
        Dataset<Row> chosen = train.orderBy(xxhash64(lit(seed), col("window_id")), col("window_id"))
                .limit((int) Math.min(replayed, Integer.MAX_VALUE));
        if (!train.where(size(col("tokens")).notEqual(contextLength + 1)).isEmpty()) {
            throw new ConfigError("--replay " + replay + ": its windows do not hold pack.context_length + 1 = "
                    + (contextLength + 1) + " tokens; pack the pretraining data with the same pack.context_length");
        }
        Dataset<Row> replayRows = chosen.select(col("window_id").cast("long").as("window_id"),
                lit(PackResult.TRAIN).as("split"), concat(lit("pretrain-"), col("window_id").cast("string")).as("conversation_id"),
                col("tokens"), array_repeat(lit(1), contextLength).as(SftPacker.LOSS_MASK),
                // one segment: a pretraining window is trained as in pretraining, attending across its documents
                array_repeat(lit(0), contextLength + 1).as(SftPacker.SEGMENT),
                array(concat(lit("pretrain-"), col("window_id").cast("string"))).as(SftPacker.CONVERSATION_IDS),
                lit(1).as("_kind"));
        Dataset<Row> conversations = sftWindows.select(col("window_id"), col("split"), col("conversation_id"),
                col("tokens"), col(SftPacker.LOSS_MASK), col(SftPacker.SEGMENT), col(SftPacker.CONVERSATION_IDS),
                lit(0).as("_kind"));
        JavaRDD<Row> renumbered = conversations.unionByName(replayRows)
                .orderBy(xxhash64(lit(seed), col("_kind"), col("window_id")), col("_kind"), col("window_id"))
                .drop("_kind")
                .javaRDD()
                .zipWithIndex()
                .map(x -> {
                    Row r = x._1();
                    return RowFactory.create(x._2(), r.get(1), r.get(2), r.get(3), r.get(4), r.get(5), r.get(6));
                });
        Dataset<Row> windows = spark.createDataFrame(renumbered, SftPacker.SCHEMA);
        Map<String, Object> stats = new LinkedHashMap<>();
        stats.put("input", replay);
        stats.put("fraction", f);
        stats.put("seed", seed);
        stats.put("windows_available", available);
        stats.put("windows", replayed);
        stats.put("share", sftTrain + replayed == 0 ? 0.0 : (double) replayed / (sftTrain + replayed));
        return new Result(windows, replayed, stats);
    }

    private static void checkTokenizer(Configuration hadoop, String replay, BpeTokenizer tok) {
        Path path = new Path(replay, Layout.TOKENIZER_JSON);
        try {
            FileSystem fs = path.getFileSystem(hadoop);
            if (!fs.exists(path)) {
                throw new ConfigError("--replay " + replay + ": no " + Layout.TOKENIZER_JSON
                        + "; give the output folder of 'refinery tokenize' on documents");
            }
            String json;
            try (FSDataInputStream in = fs.open(path)) {
                json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (!BpeTokenizer.fromJson(json, path.toString()).toJson().equals(tok.toJson())) {
                throw new ConfigError("--replay " + replay + " was packed with another tokenizer than --tokenizer");
            }
        } catch (IOException e) {
            throw new ConfigError("--replay " + replay + ": " + e.getMessage(), e);
        }
    }
}
