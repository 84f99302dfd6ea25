package ai.refinery.training.tokenizer;

import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import scala.Tuple2;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;

/**
 * Trains a byte-level BPE tokenizer on a corpus. Counting is distributed: every partition pre-tokenises
 * its documents and counts pieces locally, and reduceByKey sums the counts. The (piece, count) table, much
 * smaller than the corpus, is then collected and the merges are learned on the driver ({@link BpeLearner}).
 * The result depends only on the multiset of documents, not on partitioning or order.
 */
public final class TokenizerTrainer {
    /** Local counts are flushed to the shuffle when a partition has seen this many distinct pieces. */
    private static final int LOCAL_FLUSH = 500_000;

    /** Figures of a training run, for stats.json. */
    public record Report(BpeTokenizer tokenizer, long documents, long nullDocuments, long bytes,
                         long distinctWords, long wordsUsed, int merges, double seconds, double learnSeconds) {
        public Map<String, Object> toMap() {
            Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("documents", documents);
            m.put("documents_without_text", nullDocuments);
            m.put("bytes", bytes);
            m.put("distinct_pre_tokens", distinctWords);
            m.put("pre_tokens_used", wordsUsed);
            m.put("merges", merges);
            m.put("vocab_size", tokenizer.vocabSize());
            m.put("seconds", seconds);
            m.put("learn_seconds", learnSeconds);
            return m;
        }
    }

    private TokenizerTrainer() {
    }

    public static BpeTokenizer train(SparkSession spark, Dataset<Row> docs, TokenizerSettings settings) {
        return fit(spark, docs, settings).tokenizer();
    }

    public static Report fit(SparkSession spark, Dataset<Row> docs, TokenizerSettings settings) {
        long start = System.nanoTime();
        // Exact counts from an aggregation (accumulators would over-count when a task is retried).
        Row sizes = docs.agg(org.apache.spark.sql.functions.count(org.apache.spark.sql.functions.lit(1)),
                org.apache.spark.sql.functions.count(col(settings.textColumn())),
                org.apache.spark.sql.functions.sum(org.apache.spark.sql.functions.octet_length(col(settings.textColumn()))))
                .first();
        long documents = sizes.getLong(0);
        long nulls = documents - sizes.getLong(1);
        long bytes = sizes.isNullAt(2) ? 0 : sizes.getLong(2);
        JavaRDD<String> texts = docs.select(col(settings.textColumn())).javaRDD()
                .map(r -> r.isNullAt(0) ? null : r.getString(0));
        JavaPairRDD<String, Long> counts = texts
                .mapPartitionsToPair(TokenizerTrainer::countPieces)
                .reduceByKey(Long::sum);
        counts.persist(org.apache.spark.storage.StorageLevel.MEMORY_AND_DISK());
        try {
            long distinct = counts.count();
            List<Tuple2<String, Long>> table = distinct <= settings.maxWords()
                    ? counts.collect()
                    : counts.takeOrdered(settings.maxWords(), new MostFrequentFirst());
            long learnStart = System.nanoTime();
            BpeTokenizer tok = learn(table, settings);
            long end = System.nanoTime();
            return new Report(tok, documents, nulls, bytes, distinct, table.size(),
                    tok.merges().size(), (end - start) / 1e9, (end - learnStart) / 1e9);
        } finally {
            counts.unpersist(false);
        }
    }

    /** Learns the merges from a (piece, count) table; plain Java, no Spark. */
    public static BpeTokenizer learn(List<Tuple2<String, Long>> table, TokenizerSettings settings) {
        int[][] words = new int[table.size()][];
        long[] counts = new long[table.size()];
        for (int i = 0; i < table.size(); i++) {
            byte[] b = table.get(i)._1().getBytes(StandardCharsets.UTF_8);
            int[] ids = new int[b.length];
            for (int j = 0; j < b.length; j++) {
                ids[j] = SpecialTokens.FIRST_BYTE_ID + (b[j] & 0xFF);
            }
            words[i] = ids;
            counts[i] = table.get(i)._2();
        }
        List<int[]> merges = BpeLearner.learn(words, counts, settings.mergesWanted(),
                settings.minPairFrequency(), SpecialTokens.MIN_VOCAB_SIZE);
        return BpeTokenizer.fromMerges(merges);
    }

    private static Iterator<Tuple2<String, Long>> countPieces(Iterator<String> texts) {
        List<Tuple2<String, Long>> out = new ArrayList<>();
        Map<String, long[]> local = new HashMap<>();
        while (texts.hasNext()) {
            String text = texts.next();
            if (text == null) {
                continue;
            }
            PreTokenizer.split(text, 0, text.length(),
                    (s, e) -> local.computeIfAbsent(text.substring(s, e), k -> new long[1])[0]++);
            if (local.size() >= LOCAL_FLUSH) {
                local.forEach((k, v) -> out.add(new Tuple2<>(k, v[0])));
                local.clear();
            }
        }
        local.forEach((k, v) -> out.add(new Tuple2<>(k, v[0])));
        return out.iterator();
    }

    /** Count descending, then piece ascending: a total order, so the kept set is deterministic. */
    private static final class MostFrequentFirst implements Comparator<Tuple2<String, Long>>, Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public int compare(Tuple2<String, Long> x, Tuple2<String, Long> y) {
            int c = Long.compare(y._2(), x._2());
            return c != 0 ? c : x._1().compareTo(y._1());
        }
    }
}
