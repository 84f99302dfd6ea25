package ai.refinery.training.tokenizer;

import ai.refinery.training.Corpora;
import ai.refinery.training.SparkTestSession;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Training time and encoding speed on Europarl (run with -Drefinery.bench=true; off in the normal build).
 * Settings: refinery.bench.mb (corpus size, default 4).
 */
@EnabledIfSystemProperty(named = "refinery.bench", matches = "true")
class TokenizerBenchmarkTest {
    @Test
    void trainAndEncode() throws Exception {
        long maxBytes = (long) (Double.parseDouble(System.getProperty("refinery.bench.mb", "4")) * 1_000_000);
        List<String> docs = Corpora.europarl(maxBytes);
        long bytes = docs.stream().mapToLong(d -> d.getBytes(StandardCharsets.UTF_8).length).sum();
        SparkSession spark = SparkTestSession.get();
        Dataset<Row> df = spark.createDataset(docs, Encoders.STRING()).toDF("text").repartition(2).cache();
        df.count();

        TokenizerTrainer.Report r = TokenizerTrainer.fit(spark, df, new TokenizerSettings(8192, 2, 2_000_000, "text"));
        System.out.printf("train: %d docs, %.2f MB, %d distinct pre-tokens, vocab %d, %.1f s (merges on the driver: %.1f s)%n",
                r.documents(), bytes / 1e6, r.distinctWords(), r.tokenizer().vocabSize(), r.seconds(), r.learnSeconds());
        BpeTokenizer tok = r.tokenizer();

        for (String mode : List.of("cold", "warm", "warm", "warm")) {
            if (mode.equals("cold")) {
                tok = BpeTokenizer.fromMerges(toPairs(r.tokenizer()));
            }
            long t0 = System.nanoTime();
            long tokens = 0;
            for (String d : docs) {
                tokens += tok.encodeOrdinary(d).length;
            }
            double s = (System.nanoTime() - t0) / 1e9;
            System.out.printf("encode (%s cache, 1 thread): %d tokens, %.2f bytes/token, %.1f MB/s%n",
                    mode, tokens, (double) bytes / tokens, bytes / 1e6 / s);
        }
        long t0 = System.nanoTime();
        long decoded = 0;
        for (String d : docs) {
            decoded += tok.decode(tok.encodeOrdinary(d)).length();
        }
        System.out.printf("encode+decode: %.1f MB/s%n", bytes / 1e6 / ((System.nanoTime() - t0) / 1e9));
        assertEquals(docs.stream().mapToLong(String::length).sum(), decoded);
    }

    private static List<int[]> toPairs(BpeTokenizer tok) {
        return tok.merges().stream().map(m -> new int[] {tok.idOf(m[0]), tok.idOf(m[1])}).toList();
    }
}
