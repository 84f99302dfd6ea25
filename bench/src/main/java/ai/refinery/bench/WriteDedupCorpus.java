package ai.refinery.bench;

import ai.refinery.core.config.Settings;
import ai.refinery.core.spark.SparkSessions;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Writes documents 0..N-1 of a {@link DedupCorpus} as Parquet (id, text, url, source), the input of the
 * {@code dedup} command, plus a _PLANTED marker with the corpus description once complete.
 *
 * <p>Usage: WriteDedupCorpus OUTPUT_DIR DOCS MIN_CHARS MAX_CHARS HTML_DIR...
 */
public final class WriteDedupCorpus {
    private static final StructType SCHEMA = new StructType()
            .add("id", DataTypes.StringType, false)
            .add("text", DataTypes.StringType, false)
            .add("url", DataTypes.StringType, true)
            .add("source", DataTypes.StringType, false);

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        long n = Long.parseLong(args[1]);
        int minChars = Integer.parseInt(args[2]);
        int maxChars = Integer.parseInt(args[3]);
        List<Path> html = new ArrayList<>();
        for (int i = 4; i < args.length; i++) {
            html.add(Path.of(args[i]));
        }
        DedupCorpus corpus = DedupCorpus.fromHtml(html, 1, minChars, maxChars, DedupCorpus.DUPLICATE_SHARE);
        SparkSession spark = SparkSessions.create("write-dedup-corpus", Settings.load(null, List.of()));
        Broadcast<DedupCorpus> pool = spark.sparkContext().broadcast(corpus, scala.reflect.ClassTag$.MODULE$.apply(DedupCorpus.class));
        int partitions = (int) Math.max(2, Math.min(200, n / 20_000));
        MapPartitionsFunction<Long, Row> docs = indices -> new Iterator<>() {
            @Override
            public boolean hasNext() {
                return indices.hasNext();
            }

            @Override
            public Row next() {
                DedupCorpus.Doc d = pool.value().doc(indices.next());
                return RowFactory.create(d.id(), d.text(), null, "dedup-bench");
            }
        };
        spark.range(0, n, 1, partitions).as(Encoders.LONG()).mapPartitions(docs, Encoders.row(SCHEMA))
                .write().mode("overwrite").parquet(out.toString());
        Files.writeString(out.resolve("_PLANTED"), String.format("%d documents, %d-%d characters, 30%% copies at edit rates %s, "
                        + "pool of %d paragraphs (%d characters)%n", n, minChars, maxChars,
                java.util.Arrays.toString(DedupCorpus.EDIT_RATES), corpus.poolParagraphs(), corpus.poolChars()));
        spark.stop();
    }
}
