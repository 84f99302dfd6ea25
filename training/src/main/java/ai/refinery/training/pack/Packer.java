package ai.refinery.training.pack;

import ai.refinery.training.tokenizer.BpeTokenizer;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaPairRDD;
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
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;

/**
 * Tokenizes documents and packs them into fixed-length training windows.
 *
 * <ol>
 *   <li>Each document becomes its tokens ({@link BpeTokenizer#encodeOrdinary}: text that looks like a special
 *   token stays text) followed by the end-of-text id. Null or empty texts are counted and skipped.</li>
 *   <li>Documents are put in a seeded shuffle order: by a 128-bit SHA-256 key of (seed, id, text). The key
 *   is uniform, so a range partitioner over it needs no sampling, and sorting within partitions gives a
 *   total order. Two documents share a key only if id and text are equal, and then their tokens are equal
 *   too, so the order is the same whatever the partitioning. Shuffling documents before packing keeps
 *   rephrasings of one source out of a shared window.</li>
 *   <li>The first round(documents * validation_fraction) documents of that order are the validation split
 *   (at least one when the fraction is above 0 and there are two or more documents), the rest train. Whole
 *   documents go to a split, so no text is in both.</li>
 *   <li>Each split's documents are concatenated in that order into one stream, cut by {@link WindowCutter}.</li>
 *   <li>Windows are ordered by a bijective 64-bit mix of (seed, split, window index), and numbered in that
 *   order: window_id.</li>
 * </ol>
 */
public final class Packer {
    private static final StructType SCHEMA = new StructType()
            .add("window_id", DataTypes.LongType, false)
            .add("split", DataTypes.StringType, false)
            .add("stream_offset", DataTypes.LongType, false)
            .add("tokens", DataTypes.createArrayType(DataTypes.IntegerType, false), false);

    private Packer() {
    }

    public static PackResult run(SparkSession spark, Dataset<Row> docs, BpeTokenizer tok, PackSettings settings) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<BpeTokenizer> bTok = jsc.broadcast(tok);
        boolean hasId = Arrays.asList(docs.columns()).contains("id");
        Dataset<Row> selected = hasId ? docs.select("id", "text") : docs.select("text");
        long seed = settings.seed();
        int eot = tok.endOfTextId();
        if (eot < 0) {
            throw new IllegalArgumentException("the tokenizer has no <|endoftext|> token");
        }

        JavaRDD<Row> rows = selected.javaRDD();
        int parts = Math.max(1, rows.getNumPartitions());
        JavaPairRDD<DocKey, int[]> keyed = rows.mapToPair(r -> {
            String id = hasId && !r.isNullAt(0) ? r.getString(0) : "";
            int textAt = hasId ? 1 : 0;
            String text = r.isNullAt(textAt) ? "" : r.getString(textAt);
            DocKey key = DocKey.of(seed, id, text);
            if (text.isEmpty()) {
                return new Tuple2<>(key, (int[]) null);
            }
            int[] ids = bTok.value().encodeOrdinary(text);
            int[] withEot = Arrays.copyOf(ids, ids.length + 1);
            withEot[ids.length] = eot;
            return new Tuple2<>(key, withEot);
        });
        JavaPairRDD<DocKey, int[]> sorted = keyed
                .repartitionAndSortWithinPartitions(new HighBitsPartitioner(parts), new DocKeyOrder());
        sorted.persist(StorageLevel.MEMORY_AND_DISK_SER());

        // Pass 1: documents per partition, to give every document its global rank.
        List<long[]> perPart = sorted.mapPartitionsWithIndex((p, it) -> {
            long nonEmpty = 0;
            long empty = 0;
            while (it.hasNext()) {
                if (it.next()._2() == null) {
                    empty++;
                } else {
                    nonEmpty++;
                }
            }
            return List.of(new long[] {p, nonEmpty, empty}).iterator();
        }, true).collect();
        long[] rankStart = new long[parts];
        long documents = 0;
        long empty = 0;
        long[] nonEmptyIn = new long[parts];
        for (long[] c : perPart) {
            nonEmptyIn[(int) c[0]] = c[1];
            empty += c[2];
        }
        for (int p = 0; p < parts; p++) {
            rankStart[p] = documents;
            documents += nonEmptyIn[p];
        }
        long nVal = validationDocuments(documents, settings.validationFraction());

        // Pass 2: tokens of each split per partition, to give every document its stream offset.
        long[] rs = rankStart;
        List<long[]> tokenSums = sorted.mapPartitionsWithIndex((p, it) -> {
            long rank = rs[p];
            long val = 0;
            long train = 0;
            while (it.hasNext()) {
                int[] t = it.next()._2();
                if (t == null) {
                    continue;
                }
                if (rank++ < nVal) {
                    val += t.length;
                } else {
                    train += t.length;
                }
            }
            return List.of(new long[] {p, val, train}).iterator();
        }, true).collect();
        long[] valIn = new long[parts];
        long[] trainIn = new long[parts];
        for (long[] c : tokenSums) {
            valIn[(int) c[0]] = c[1];
            trainIn[(int) c[0]] = c[2];
        }
        long[] valStart = new long[parts];
        long[] trainStart = new long[parts];
        long valTokens = 0;
        long trainTokens = 0;
        for (int p = 0; p < parts; p++) {
            valStart[p] = valTokens;
            trainStart[p] = trainTokens;
            valTokens += valIn[p];
            trainTokens += trainIn[p];
        }
        int t = settings.contextLength();
        long valWindows = WindowCutter.windows(valTokens, t);
        long trainWindows = WindowCutter.windows(trainTokens, t);

        // Pass 3: pieces of documents keyed by their window's shuffle key; one shuffle sorts and groups them.
        JavaPairRDD<Long, Chunk> chunks = sorted.mapPartitionsWithIndex((p, it) -> {
            long rank = rs[p];
            long valAt = valStart[p];
            long trainAt = trainStart[p];
            List<Tuple2<Long, Chunk>> out = new ArrayList<>();
            while (it.hasNext()) {
                int[] doc = it.next()._2();
                if (doc == null) {
                    continue;
                }
                boolean val = rank++ < nVal;
                long start = val ? valAt : trainAt;
                if (val) {
                    valAt += doc.length;
                } else {
                    trainAt += doc.length;
                }
                for (WindowCutter.Piece piece : WindowCutter.pieces(start, doc.length, t, val ? valWindows : trainWindows)) {
                    long windowKey = piece.window() * 2 + (val ? 1 : 0);
                    out.add(new Tuple2<>(shuffleKey(seed, windowKey), new Chunk(windowKey, piece.offset(),
                            Arrays.copyOfRange(doc, piece.from(), piece.to()))));
                }
            }
            return out.iterator();
        }, true).mapToPair(x -> x);
        JavaRDD<Tuple2<Long, int[]>> assembled = chunks
                .repartitionAndSortWithinPartitions(new HighBitsLongPartitioner(parts), new UnsignedOrder())
                .mapPartitions(it -> assemble(it, t));
        JavaRDD<Row> windowRows = assembled.zipWithIndex().map(x -> {
            long windowKey = x._1()._1();
            boolean val = (windowKey & 1) == 1;
            return RowFactory.create(x._2(), val ? PackResult.VALIDATION : PackResult.TRAIN,
                    (windowKey >>> 1) * t, x._1()._2());
        });
        Dataset<Row> windows = spark.createDataFrame(windowRows, SCHEMA);

        long tokensPerEpoch = trainWindows * t;
        PackStats stats = new PackStats(documents + empty, empty, documents - nVal, nVal, trainTokens, valTokens,
                trainWindows, valWindows, WindowCutter.droppedTokens(trainTokens, t),
                WindowCutter.droppedTokens(valTokens, t), t, tokensPerEpoch, settings.plannedEpochs(),
                DataBudget.effectiveTokens(tokensPerEpoch, settings.plannedEpochs(), settings.repetitionConstant()),
                settings.plannedEpochs() > settings.maxRecommendedEpochs());
        return new PackResult(windows, stats, () -> {
            sorted.unpersist(false);
            bTok.destroy();
        });
    }

    /** round(documents * fraction), at least 1 when fraction > 0 and documents >= 2, and below documents. */
    static long validationDocuments(long documents, double fraction) {
        if (fraction <= 0 || documents < 2) {
            return 0;
        }
        long n = Math.round(documents * fraction);
        return Math.min(documents - 1, Math.max(1, n));
    }

    private static Iterator<Tuple2<Long, int[]>> assemble(Iterator<Tuple2<Long, Chunk>> it, int t) {
        List<Tuple2<Long, int[]>> out = new ArrayList<>();
        long currentKey = 0;
        long currentWindow = -1;
        int[] window = null;
        int filled = 0;
        while (it.hasNext()) {
            Tuple2<Long, Chunk> next = it.next();
            if (window == null || next._1() != currentKey) {
                if (window != null) {
                    out.add(complete(currentWindow, window, filled));
                }
                currentKey = next._1();
                currentWindow = next._2().windowKey;
                window = new int[t + 1];
                filled = 0;
            }
            Chunk c = next._2();
            System.arraycopy(c.tokens, 0, window, c.offset, c.tokens.length);
            filled += c.tokens.length;
        }
        if (window != null) {
            out.add(complete(currentWindow, window, filled));
        }
        return out.iterator();
    }

    private static Tuple2<Long, int[]> complete(long windowKey, int[] window, int filled) {
        if (filled != window.length) {
            throw new IllegalStateException("window " + windowKey + " got " + filled + " of " + window.length + " tokens");
        }
        return new Tuple2<>(windowKey, window);
    }

    /** Bijective mix (murmur3's finalizer) of the window key and the seed: a shuffle with no ties. */
    static long shuffleKey(long seed, long windowKey) {
        return fmix64(windowKey ^ fmix64(seed ^ 0x5851F42D4C957F2DL));
    }

    static long fmix64(long z) {
        z ^= z >>> 33;
        z *= 0xff51afd7ed558ccdL;
        z ^= z >>> 33;
        z *= 0xc4ceb9fe1a85ec53L;
        z ^= z >>> 33;
        return z;
    }

    /** Part of a document placed in one window. */
    static final class Chunk implements Serializable {
        private static final long serialVersionUID = 1L;
        final long windowKey;
        final int offset;
        final int[] tokens;

        Chunk(long windowKey, int offset, int[] tokens) {
            this.windowKey = windowKey;
            this.offset = offset;
            this.tokens = tokens;
        }
    }

    /** A document's shuffle key: the first 128 bits of SHA-256(seed, id, 0, text). */
    static final class DocKey implements Serializable {
        private static final long serialVersionUID = 1L;
        final long hi;
        final long lo;

        DocKey(long hi, long lo) {
            this.hi = hi;
            this.lo = lo;
        }

        static DocKey of(long seed, String id, String text) {
            MessageDigest sha;
            try {
                sha = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            sha.update(ByteBuffer.allocate(8).putLong(seed).array());
            sha.update(id.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(text.getBytes(StandardCharsets.UTF_8));
            ByteBuffer d = ByteBuffer.wrap(sha.digest());
            return new DocKey(d.getLong(), d.getLong());
        }
    }

    static final class DocKeyOrder implements Comparator<DocKey>, Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public int compare(DocKey a, DocKey b) {
            int c = Long.compareUnsigned(a.hi, b.hi);
            return c != 0 ? c : Long.compareUnsigned(a.lo, b.lo);
        }
    }

    static final class UnsignedOrder implements Comparator<Long>, Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public int compare(Long a, Long b) {
            return Long.compareUnsigned(a, b);
        }
    }

    /** Range partitioner for uniform 64-bit keys: partition i holds the i-th slice of the unsigned range. */
    static int rangeOf(long key, int parts) {
        return (int) (((key >>> 32) * parts) >>> 32);
    }

    static final class HighBitsPartitioner extends Partitioner {
        private static final long serialVersionUID = 1L;
        private final int parts;

        HighBitsPartitioner(int parts) {
            this.parts = parts;
        }

        @Override
        public int numPartitions() {
            return parts;
        }

        @Override
        public int getPartition(Object key) {
            return rangeOf(((DocKey) key).hi, parts);
        }
    }

    static final class HighBitsLongPartitioner extends Partitioner {
        private static final long serialVersionUID = 1L;
        private final int parts;

        HighBitsLongPartitioner(int parts) {
            this.parts = parts;
        }

        @Override
        public int numPartitions() {
            return parts;
        }

        @Override
        public int getPartition(Object key) {
            return rangeOf((Long) key, parts);
        }
    }
}
