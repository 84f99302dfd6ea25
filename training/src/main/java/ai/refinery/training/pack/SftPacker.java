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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Packs SFT rows (a {@code messages} column; {@code id}, optional {@code split}) into training windows with a
 * per-target loss mask and the segment (conversation) of every token.
 *
 * <ol>
 *   <li>A conversation that fails {@link ConversationCheck} (rows not converted by {@code sft-data}) is counted as
 *   invalid and left out, rather than failing the job.</li>
 *   <li>Each conversation is rendered by {@link ChatTemplate} (markers as ids, targets = assistant turns and
 *   their {@code <|end|>}, or the last turn only with {@code sft.train_on = last_turn}; with
 *   {@code response_only} the instructions are dropped first: response tuning), then cut to a window of
 *   context_length + 1 tokens when longer, or rejected, by {@code sft.overlong} ({@link SftWindow#fit}).</li>
 *   <li>{@code sft.packing = padded}: one conversation per window, padded with {@code <|pad|>} (never a target).
 *   {@code packed}: conversations of one split are packed several per window by best-fit decreasing
 *   ({@link PackedSftWindow}), within groups of about {@value #GROUP_SIZE} conversations picked by the seeded key
 *   (the same groups whatever the partitioning; a group is packed in one task). The segment column tells the
 *   model where each conversation starts: it restarts positions there and attends within a conversation only.</li>
 *   <li>Split: a row's own {@code split} ({@code test} goes to validation); rows without one are held out with
 *   probability {@code pack.validation_fraction} by a seeded hash of the conversation.</li>
 *   <li>Windows are ordered by a 128-bit SHA-256 key of (seed, id, conversation) of their first conversation and
 *   numbered in that order (window_id, both splits together): the same whatever the partitioning.</li>
 * </ol>
 *
 * Columns: window_id (long), split ("train"/"validation"), conversation_id (the id of the window's first
 * conversation), tokens (array of context_length + 1 ints), loss_mask (array of context_length ints, 0 or 1:
 * target i is token i + 1), segment (array of context_length + 1 ints: the index of each token's conversation in
 * the window, -1 for padding), conversation_ids (the ids of the window's conversations, in segment order).
 */
public final class SftPacker {
    public static final String LOSS_MASK = "loss_mask";
    public static final String SEGMENT = "segment";
    public static final String CONVERSATION_IDS = "conversation_ids";
    /** Conversations packed together (best-fit decreasing in one task): large enough to fill windows well. */
    static final int GROUP_SIZE = 4096;

    static final StructType SCHEMA = new StructType()
            .add("window_id", DataTypes.LongType, false)
            .add("split", DataTypes.StringType, false)
            .add("conversation_id", DataTypes.StringType, false)
            .add("tokens", DataTypes.createArrayType(DataTypes.IntegerType, false), false)
            .add(LOSS_MASK, DataTypes.createArrayType(DataTypes.IntegerType, false), false)
            .add(SEGMENT, DataTypes.createArrayType(DataTypes.IntegerType, false), false)
            .add(CONVERSATION_IDS, DataTypes.createArrayType(DataTypes.StringType, false), false);

    /** One conversation, fitted to a window, keyed for the shuffle. */
    private record Conversation(Packer.DocKey key, String id, boolean validation, SftWindow.Fit fit)
            implements Serializable {
    }

    /** One window: the key and split of its conversations, their ids in segment order. */
    private record Window(Packer.DocKey key, boolean validation, List<String> ids, PackedSftWindow window)
            implements Serializable {
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

        JavaRDD<Conversation> conversations = rows.javaRDD().map(r -> {
            SftRow row = SftRow.fromRow(r);
            Packer.DocKey key = Packer.DocKey.of(seed, row.id(), conversationText(row));
            boolean validation = row.split() == null ? unit(key.lo) < fraction : SftRow.TEST.equals(row.split());
            if (ConversationCheck.problem(row.messages()) != null) {
                return new Conversation(key, row.id(), validation, new SftWindow.Fit(SftWindow.Status.INVALID, null, null));
            }
            ChatTemplate.Rendered rendered = new ChatTemplate(bTok.value()).render(trainOn == SftSettings.TrainOn.RESPONSE_ONLY
                    ? ChatTemplate.withoutInstructions(row.messages()) : row.messages(), trainOn);
            return new Conversation(key, row.id(), validation, SftWindow.fit(rendered, t, overlong));
        });
        conversations.persist(StorageLevel.MEMORY_AND_DISK_SER());
        long[] c = conversations.aggregate(new long[Count.values().length], SftPacker::count, SftPacker::add);

        JavaRDD<Conversation> fitting = conversations.filter(x -> x.fit().hasWindow());
        JavaRDD<Window> windows;
        if (sft.packing() == SftSettings.Packing.PADDED) {
            windows = fitting.map(x -> new Window(x.key(), x.validation(), new ArrayList<>(List.of(x.id())),
                    PackedSftWindow.of(new ArrayList<>(List.of(x.fit())), t, pad)));
        } else {
            long trainGroups = groups(c[Count.TRAIN_CONVERSATIONS.ordinal()]);
            long validationGroups = groups(c[Count.VALIDATION_CONVERSATIONS.ordinal()]);
            windows = fitting.mapToPair(x -> new Tuple2<>(x.validation()
                            ? -1 - Packer.rangeOf(x.key().hi, (int) validationGroups)
                            : (long) Packer.rangeOf(x.key().hi, (int) trainGroups), x))
                    .groupByKey()
                    .flatMap(g -> pack(g._2(), t, pad).iterator());
        }
        windows.persist(StorageLevel.MEMORY_AND_DISK_SER());
        long[] w = windows.aggregate(new long[3], (a, x) -> {
            a[x.validation() ? 1 : 0]++;
            a[2] += x.window().tokens().length - x.window().length();
            return a;
        }, SftPacker::add);

        JavaRDD<Row> windowRows = windows
                .mapToPair(x -> new Tuple2<>(x.key(), x))
                .sortByKey(new Packer.DocKeyOrder())
                .values()
                .zipWithIndex()
                .map(x -> {
                    Window p = x._1();
                    return RowFactory.create(x._2(), p.validation() ? PackResult.VALIDATION : PackResult.TRAIN,
                            p.ids().get(0), p.window().tokens(), p.window().lossMask(), p.window().segment(),
                            p.ids().toArray(new String[0]));
                });
        Dataset<Row> out = spark.createDataFrame(windowRows, SCHEMA);
        SftPackStats stats = new SftPackStats(c[Count.CONVERSATIONS.ordinal()], c[Count.INVALID.ordinal()],
                c[Count.TRUNCATED.ordinal()],
                c[Count.OVERLONG_REJECTED.ordinal()], c[Count.NO_TARGET.ordinal()], w[0], w[1],
                c[Count.TOKENS.ordinal()], w[2], c[Count.TARGETS.ordinal()], t,
                sft.overlong().name().toLowerCase(Locale.ROOT), sft.trainOn().name().toLowerCase(Locale.ROOT),
                sft.packing().name().toLowerCase(Locale.ROOT),
                c[Count.TRAIN_CONVERSATIONS.ordinal()] + c[Count.VALIDATION_CONVERSATIONS.ordinal()]);
        return new SftPackResult(out, stats, () -> {
            windows.unpersist(false);
            conversations.unpersist(false);
            bTok.destroy();
        });
    }

    /** Groups of about GROUP_SIZE conversations for n conversations (at least one). */
    private static long groups(long n) {
        return Math.max(1, Math.min(Integer.MAX_VALUE, (n + GROUP_SIZE / 2) / GROUP_SIZE));
    }

    /** One group's conversations packed by best-fit decreasing, in key order first so the result is deterministic. */
    private static List<Window> pack(Iterable<Conversation> group, int t, int pad) {
        List<Conversation> list = new ArrayList<>();
        group.forEach(list::add);
        list.sort(Comparator.comparing(Conversation::key, new Packer.DocKeyOrder()));
        int[] lengths = new int[list.size()];
        for (int i = 0; i < lengths.length; i++) {
            lengths[i] = list.get(i).fit().length();
        }
        List<Window> out = new ArrayList<>();
        for (List<Integer> bin : PackedSftWindow.bestFitDecreasing(lengths, t + 1)) {
            List<SftWindow.Fit> fits = new ArrayList<>(bin.size());
            List<String> ids = new ArrayList<>(bin.size());
            for (int i : bin) {
                fits.add(list.get(i).fit());
                ids.add(list.get(i).id());
            }
            Conversation first = list.get(bin.get(0)); // the bin is in key order: its first has the least key
            out.add(new Window(first.key(), first.validation(), ids, PackedSftWindow.of(fits, t, pad)));
        }
        return out;
    }

    private enum Count { CONVERSATIONS, INVALID, TRUNCATED, OVERLONG_REJECTED, NO_TARGET, TRAIN_CONVERSATIONS,
        VALIDATION_CONVERSATIONS, TOKENS, TARGETS }

    private static long[] count(long[] c, Conversation x) {
        c[Count.CONVERSATIONS.ordinal()]++;
        SftWindow.Fit f = x.fit();
        switch (f.status()) {
            case TRUNCATED -> c[Count.TRUNCATED.ordinal()]++;
            case OVERLONG_REJECTED -> c[Count.OVERLONG_REJECTED.ordinal()]++;
            case NO_TARGET -> c[Count.NO_TARGET.ordinal()]++;
            case INVALID -> c[Count.INVALID.ordinal()]++;
            case FITS -> { }
        }
        if (f.hasWindow()) {
            c[(x.validation() ? Count.VALIDATION_CONVERSATIONS : Count.TRAIN_CONVERSATIONS).ordinal()]++;
            c[Count.TOKENS.ordinal()] += f.length();
            for (int i = 1; i < f.length(); i++) {
                c[Count.TARGETS.ordinal()] += f.targets()[i];
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
