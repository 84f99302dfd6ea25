package ai.refinery.dedup;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;

/** One real local Spark session shared by the test classes of this module, and text helpers. */
final class SparkTestSupport {
    private static SparkSession spark;

    private SparkTestSupport() {
    }

    static synchronized SparkSession spark() {
        if (spark == null) {
            spark = SparkSession.builder()
                    .master("local[2]")
                    .appName("dedup-tests")
                    .config("spark.ui.enabled", "false")
                    .config("spark.sql.shuffle.partitions", "2")
                    .config("spark.default.parallelism", "2")
                    // Test data is tiny: compiling generated code and re-planning adaptively cost more than
                    // they save here (about a third of this module's test time). Results are the same.
                    .config("spark.sql.adaptive.enabled", "false")
                    .config("spark.sql.codegen.wholeStage", "false")
                    .config("spark.sql.codegen.factoryMode", "NO_CODEGEN")
                    .getOrCreate();
            spark.sparkContext().setLogLevel("WARN");
        }
        return spark;
    }

    static final StructType DOCS = new StructType()
            .add("id", DataTypes.StringType, true)
            .add("text", DataTypes.StringType, true)
            .add("url", DataTypes.StringType, true);

    static Dataset<Row> docs(List<String[]> idAndText) {
        List<Row> rows = new ArrayList<>();
        for (String[] d : idAndText) {
            rows.add(RowFactory.create(d[0], d[1], "https://example.org/" + d[0]));
        }
        return spark().createDataFrame(rows, DOCS);
    }

    /** A pseudo-word made only of letters (digits would all normalise to "0"). */
    static String word(int i) {
        StringBuilder sb = new StringBuilder("w");
        int v = i;
        do {
            sb.append((char) ('a' + v % 26));
            v /= 26;
        } while (v > 0);
        return sb.toString();
    }

    /** n random words from a vocabulary of vocab words. */
    static List<String> randomWords(SplittableRandom random, int n, int vocab) {
        List<String> words = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            words.add(word(random.nextInt(vocab)));
        }
        return words;
    }

    /** Replaces the words at the given positions with words outside the vocabulary. */
    static List<String> substitute(List<String> words, int... positions) {
        List<String> copy = new ArrayList<>(words);
        for (int p : positions) {
            copy.set(p, "edit" + word(p + 1_000_000));
        }
        return copy;
    }

    static String join(List<String> words) {
        return String.join(" ", words);
    }

    /** The cluster of every input row of a run: its own id when kept, its duplicate_of when removed. */
    static Map<String, String> clusterLabels(DedupResult result) {
        Map<String, String> label = new HashMap<>();
        for (Row r : result.kept().select("id").collectAsList()) {
            label.put(r.getString(0), r.getString(0));
        }
        for (Row r : result.removed().select("id", "duplicate_of").collectAsList()) {
            label.put(r.getString(0), r.getString(1));
        }
        return label;
    }

    static TreeSet<String> ids(Dataset<Row> rows) {
        TreeSet<String> ids = new TreeSet<>();
        for (Row r : rows.select("id").collectAsList()) {
            ids.add(r.getString(0));
        }
        return ids;
    }
}
