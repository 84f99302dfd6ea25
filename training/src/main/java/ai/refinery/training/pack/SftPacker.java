package ai.refinery.training.pack;

import ai.refinery.core.sft.ConversationCheck;
import ai.refinery.core.sft.Message;
import ai.refinery.core.sft.SftRow;
import ai.refinery.core.sft.SftSettings;
import ai.refinery.training.tokenizer.BpeTokenizer;
import ai.refinery.training.tokenizer.ChatTemplate;
import ai.refinery.training.tokenizer.SpecialTokens;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

import java.io.Serializable;
import java.util.Locale;

/**
 * Packs SFT rows (a {@code messages} column; {@code id}, optional {@code split}) into training windows with a
 * per-target loss mask, one conversation per window.
 *
 * <ol>
 *   <li>A conversation that fails {@link ConversationCheck} (rows not converted by {@code sft-data}) is counted as
 *   invalid and left out, rather than failing the job.</li>
 *   <li>Each conversation is rendered by {@link ChatTemplate} (markers as ids, targets = assistant turns and
 *   their {@code <|end|>}, or the last turn only with {@code sft.train_on = last_turn}; with
 *   {@code response_only} the instructions are dropped first: response tuning).</li>
 *   <li>It becomes one window of context_length + 1 tokens ({@link SftWindow}): padded with {@code <|pad|>}
 *   (never a target), or, when longer, truncated or rejected by {@code sft.overlong}. One conversation per
 *   window means no attention across conversations and positions that start at 0 for each: packing several per
 *   window needs a block-causal mask and per-conversation positions in the model, which it does not have.</li>
 *   <li>Split: a row's own {@code split} ({@code test} goes to validation); rows without one are held out with
 *   probability {@code pack.validation_fraction} by a seeded hash of the conversation.</li>
 *   <li>Windows are ordered by a 128-bit SHA-256 key of (seed, id, conversation) and numbered in that order
 *   (window_id, both splits together): the same whatever the partitioning.</li>
 * </ol>
 *
 * Columns: window_id (long), split ("train"/"validation"), conversation_id (the row's id), tokens (array of
 * context_length + 1 ints), loss_mask (array of context_length ints, 0 or 1: target i is token i + 1).
 */
public final class SftPacker {
    public static final String LOSS_MASK = "loss_mask";

    static final StructType SCHEMA = new StructType()
            .add("window_id", DataTypes.LongType, false)
            .add("split", DataTypes.StringType, false)
            .add("conversation_id", DataTypes.StringType, false)
            .add("tokens", DataTypes.createArrayType(DataTypes.IntegerType, false), false)
            .add(LOSS_MASK, DataTypes.createArrayType(DataTypes.IntegerType, false), false);

    /** Windowed outcome of one conversation, keyed for the shuffle. */
    private record Packed(Packer.DocKey key, String id, boolean validation, SftWindow window) implements Serializable {
    }

    private SftPacker() {
    }

    public static SftPackResult run(SparkSession spark, Dataset<Row> rows, BpeTokenizer tok, PackSettings pack,
                                 SftSettings sft) {
        ChatTemplate checked = new ChatTemplate(tok); // fails here, on the driver, when a marker is missing
        int pad = tok.idOf(SpecialTokens.PAD);
        if (pad < 0 || pad == checked.endId()) {
            // Padding is masked out of the loss; an <|end|> sharing its id would be too, and the model never stops.
            throw new IllegalArgumentException("the tokenizer needs a <|pad|> token distinct from <|end|>");
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<BpeTokenizer> bTok = jsc.broadcast(tok);
        int t = pack.contextLength();
        long seed = pack.seed();
        double fraction = pack.validationFraction();
        SftSettings.TrainOn trainOn = sft.trainOn();
        SftSettings.Overlong overlong = sft.overlong();

        JavaRDD<Packed> packed = rows.javaRDD().map(r -> {
            SftRow row = SftRow.fromRow(r);
            Packer.DocKey key = Packer.DocKey.of(seed, row.id(), conversationText(row));
            boolean validation = row.split() == null ? unit(key.lo) < fraction : SftRow.TEST.equals(row.split());
            if (ConversationCheck.problem(row.messages()) != null) {
                return new Packed(key, row.id(), validation, SftWindow.invalid());
            }
            ChatTemplate.Rendered rendered = new ChatTemplate(bTok.value()).render(trainOn == SftSettings.TrainOn.RESPONSE_ONLY
                    ? ChatTemplate.withoutInstructions(row.messages()) : row.messages(), trainOn);
            return new Packed(key, row.id(), validation, SftWindow.of(rendered, t, pad, overlong));
        });
        packed.persist(StorageLevel.MEMORY_AND_DISK_SER());

        long[] c = packed.aggregate(new long[Count.values().length], SftPacker::count, SftPacker::add);
        JavaRDD<Row> windowRows = packed.filter(p -> p.window().hasWindow())
                .mapToPair(p -> new Tuple2<>(p.key(), p))
                .sortByKey(new Packer.DocKeyOrder())
                .values()
                .zipWithIndex()
                .map(x -> {
                    Packed p = x._1();
                    return RowFactory.create(x._2(), p.validation() ? PackResult.VALIDATION : PackResult.TRAIN, p.id(),
                            p.window().tokens(), p.window().lossMask());
                });
        Dataset<Row> windows = spark.createDataFrame(windowRows, SCHEMA);
        SftPackStats stats = new SftPackStats(c[Count.CONVERSATIONS.ordinal()], c[Count.INVALID.ordinal()],
                c[Count.TRUNCATED.ordinal()],
                c[Count.OVERLONG_REJECTED.ordinal()], c[Count.NO_TARGET.ordinal()], c[Count.TRAIN_WINDOWS.ordinal()],
                c[Count.VALIDATION_WINDOWS.ordinal()], c[Count.TOKENS.ordinal()], c[Count.PADDING.ordinal()],
                c[Count.TARGETS.ordinal()], t, sft.overlong().name().toLowerCase(Locale.ROOT),
                sft.trainOn().name().toLowerCase(Locale.ROOT));
        return new SftPackResult(windows, stats, () -> {
            packed.unpersist(false);
            bTok.destroy();
        });
    }

    private enum Count { CONVERSATIONS, INVALID, TRUNCATED, OVERLONG_REJECTED, NO_TARGET, TRAIN_WINDOWS,
        VALIDATION_WINDOWS, TOKENS, PADDING, TARGETS }

    private static long[] count(long[] c, Packed p) {
        c[Count.CONVERSATIONS.ordinal()]++;
        SftWindow w = p.window();
        switch (w.status()) {
            case TRUNCATED -> c[Count.TRUNCATED.ordinal()]++;
            case OVERLONG_REJECTED -> c[Count.OVERLONG_REJECTED.ordinal()]++;
            case NO_TARGET -> c[Count.NO_TARGET.ordinal()]++;
            case INVALID -> c[Count.INVALID.ordinal()]++;
            case FITS -> { }
        }
        if (w.hasWindow()) {
            c[(p.validation() ? Count.VALIDATION_WINDOWS : Count.TRAIN_WINDOWS).ordinal()]++;
            c[Count.TOKENS.ordinal()] += w.length();
            c[Count.PADDING.ordinal()] += w.tokens().length - w.length();
            for (int m : w.lossMask()) {
                c[Count.TARGETS.ordinal()] += m;
            }
        }
        return c;
    }

    private static long[] add(long[] a, long[] b) {
        for (int i = 0; i < a.length; i++) {
            a[i] += b[i];
        }
        return a;
    }

    /** The conversation as one string for the shuffle key (roles and texts, NUL-separated). */
    private static String conversationText(SftRow row) {
        StringBuilder s = new StringBuilder();
        for (Message m : row.messages()) {
            s.append(m.role()).append('\0').append(m.content()).append('\0');
        }
        return s.toString();
    }

    /** A uniform double in [0, 1) from 53 bits of the key. */
    private static double unit(long bits) {
        return (bits >>> 11) * 0x1.0p-53;
    }
}
