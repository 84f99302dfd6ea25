package ai.refinery.training.train;

import ai.refinery.training.pack.PackResult;
import ai.refinery.training.pack.SftPacker;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.rdd.PartitionPruningRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.apache.spark.sql.functions.col;

/**
 * Packed windows (the output of {@code refinery tokenize}: window_id, split, tokens and, for supervised
 * fine-tuning data, loss_mask) as a {@link BatchSource}. The training stream is the train split in window_id
 * order (the packer's seeded shuffle), cached once; a range of it is read from the partitions that hold it only.
 */
public final class PackedWindows implements BatchSource {
    public static final String LOSS_MASK = SftPacker.LOSS_MASK;
    public static final String SEGMENT = SftPacker.SEGMENT;

    private final Dataset<Row> windows;
    private final int contextLength;
    private final int vocabSize;
    /** Whether the windows carry a loss_mask column (supervised fine-tuning data). */
    private final boolean masked;
    /** Whether the windows carry a segment column (conversations packed into windows). */
    private final boolean segmented;
    private final JavaPairRDD<Long, TrainingExample> stream;
    /** Stream position of each partition's first example, and the total at the end. */
    private final long[] starts;

    /**
     * @throws IllegalArgumentException when there is no training window, or a window does not hold
     *                                  context_length + 1 ids below the vocabulary size
     */
    public PackedWindows(Dataset<Row> windows, int contextLength, int vocabSize) {
        this.windows = windows;
        this.contextLength = contextLength;
        this.vocabSize = vocabSize;
        this.masked = Arrays.asList(windows.columns()).contains(LOSS_MASK);
        this.segmented = Arrays.asList(windows.columns()).contains(SEGMENT);
        boolean masked = this.masked;
        JavaRDD<TrainingExample> ordered = exampleColumns(windows.where(col("split").equalTo(PackResult.TRAIN)))
                .javaRDD()
                .mapToPair(r -> new Tuple2<>(r.getLong(0), example(r, masked, contextLength)))
                .sortByKey(true)
                .values();
        stream = ordered.zipWithIndex().mapToPair(x -> new Tuple2<>(x._2(), x._1()));
        stream.persist(StorageLevel.MEMORY_AND_DISK_SER());
        int t = contextLength;
        int v = vocabSize;
        List<long[]> counts = stream.mapPartitionsWithIndex((i, it) -> {
            long n = 0;
            long bad = 0;
            while (it.hasNext()) {
                n++;
                if (!valid(it.next()._2(), t, v)) {
                    bad++;
                }
            }
            return List.of(new long[] {i, n, bad}).iterator();
        }, true).collect();
        starts = new long[counts.size() + 1];
        long bad = 0;
        for (long[] c : counts) {
            starts[(int) c[0] + 1] = c[1];
            bad += c[2];
        }
        for (int i = 1; i < starts.length; i++) {
            starts[i] += starts[i - 1];
        }
        if (trainExamples() == 0) {
            close();
            throw new IllegalArgumentException("no training windows (split = train) in the input");
        }
        if (bad > 0) {
            close();
            throw new IllegalArgumentException(bad + " training windows do not hold context_length + 1 = "
                    + (t + 1) + " token ids below model.vocab_size = " + v
                    + " (were they packed with another context length or tokenizer?)");
        }
    }

    @Override
    public long trainExamples() {
        return starts[starts.length - 1];
    }

    @Override
    public List<TrainingExample> trainRange(long from, long count) {
        long n = trainExamples();
        long first = Math.floorMod(from, n);
        long distinct = Math.min(count, n);
        long last = first + distinct; // exclusive; past n it wraps to [0, last - n)
        PartitionPruningRDD<Tuple2<Long, TrainingExample>> needed = PartitionPruningRDD.create(stream.rdd(),
                new Overlaps(starts, first, last, n));
        List<Tuple2<Long, TrainingExample>> rows = new JavaRDD<>(needed, ClassTag$.MODULE$.apply(Tuple2.class))
                .filter(x -> Math.floorMod(x._1() - first, n) < distinct)
                .collect();
        TrainingExample[] byOffset = new TrainingExample[(int) distinct];
        for (Tuple2<Long, TrainingExample> r : rows) {
            byOffset[(int) Math.floorMod(r._1() - first, n)] = r._2();
        }
        List<TrainingExample> out = new ArrayList<>((int) count);
        for (long i = 0; i < count; i++) {
            out.add(byOffset[(int) (i % distinct)]);
        }
        return out;
    }

    @Override
    public List<TrainingExample> validation(int max) {
        if (max == 0) {
            return List.of();
        }
        List<Row> rows = exampleColumns(windows.where(col("split").equalTo(PackResult.VALIDATION))
                .orderBy("window_id").limit(max)).collectAsList();
        List<TrainingExample> out = new ArrayList<>();
        for (Row r : rows) {
            TrainingExample e = example(r, masked, contextLength);
            if (valid(e, contextLength, vocabSize)) {
                out.add(e);
            }
        }
        return out;
    }

    @Override
    public void close() {
        stream.unpersist(false);
    }

    static boolean valid(TrainingExample e, int t, int vocab) {
        int[] w = e.tokens();
        if (w.length != t + 1) {
            return false;
        }
        for (int id : w) {
            if (id < 0 || id >= vocab) {
                return false;
            }
        }
        return true;
    }

    /**
     * window_id, tokens, loss_mask and segment; without a loss_mask column the tokens stand in for it (unread),
     * without a segment column a null.
     */
    private Dataset<Row> exampleColumns(Dataset<Row> rows) {
        return rows.select(col("window_id"), col("tokens"), masked ? col(LOSS_MASK) : col("tokens").as(LOSS_MASK),
                segmented ? col(SEGMENT) : org.apache.spark.sql.functions.lit(null).cast("array<int>").as(SEGMENT));
    }

    /** Row (window_id, tokens, loss_mask or anything when not masked, segment or null) as an example. */
    private static TrainingExample example(Row r, boolean masked, int t) {
        List<Number> tokens = r.getList(1);
        int[] ids = new int[tokens.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = tokens.get(i).intValue();
        }
        if (!masked || r.isNullAt(2)) {
            return TrainingExample.of(ids);
        }
        List<?> mask = r.getList(2);
        byte[] m = new byte[mask.size()];
        for (int i = 0; i < m.length; i++) {
            Object o = mask.get(i);
            m[i] = (byte) (o instanceof Boolean b ? (b ? 1 : 0) : ((Number) o).intValue() != 0 ? 1 : 0);
        }
        if (m.length != ids.length - 1) {
            // Wrong-length masks make the window invalid (reported with the others) rather than failing here.
            return TrainingExample.of(new int[0]);
        }
        if (r.isNullAt(3)) {
            return new TrainingExample(ids, m);
        }
        List<? extends Number> segment = r.getList(3);
        if (segment.size() != ids.length || ids.length != t + 1) {
            return TrainingExample.of(new int[0]); // invalid, as above
        }
        int[] s = new int[segment.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = segment.get(i).intValue();
        }
        return new TrainingExample(ids, m, TrainingExample.positions(s, t));
    }

    /** Keeps the partitions whose positions overlap [first, last) taken modulo n. */
    private static final class Overlaps extends AbstractFunction1<Object, Object> implements Serializable {
        private final long[] starts;
        private final long first;
        private final long last;
        private final long n;

        Overlaps(long[] starts, long first, long last, long n) {
            this.starts = starts;
            this.first = first;
            this.last = last;
            this.n = n;
        }

        @Override
        public Object apply(Object partition) {
            int p = (Integer) partition;
            long a = starts[p];
            long b = starts[p + 1];
            return (a < Math.min(last, n) && b > first) || (last > n && a < last - n);
        }
    }
}
