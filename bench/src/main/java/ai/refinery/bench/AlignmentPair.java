package ai.refinery.bench;

import ai.refinery.core.config.Settings;
import ai.refinery.core.output.Json;
import ai.refinery.core.sft.Message;
import ai.refinery.core.spark.SparkSessions;
import ai.refinery.training.eval.AnswerMatch;
import ai.refinery.training.eval.QaItem;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.not;

/**
 * The alignment analyses on a pretrained model and its SFT (bench/alignment-pair.sh, BENCHMARKS.md "Alignment
 * analyses on a real pair"), around the refinery commands that do the work:
 * <ul>
 *   <li>{@code prompts QA_DIR OUT}: the test-split questions of a {@code rephrase qa} output as prompts: {@code id},
 *       {@code prompt} (the question, for token-shift with token_shift.chat), {@code messages} (the conversation up
 *       to the answer, for generate --chat), {@code reference} (the answer) and {@code attribute};</li>
 *   <li>{@code report PROMPTS MD TSV [shift:LABEL=DIR]... [LABEL=DIR]...}: per token-shift output its summary read
 *       back from its stats.json and data/, and per generate output the response metrics of {@link ResponseMetrics}
 *       against the prompts' references, as Markdown tables (MD) and one TSV row per generate output (TSV).</li>
 * </ul>
 */
public final class AlignmentPair {
    /** URIAL's shares for Llama-2-7b against Llama-2-7b-chat (unshifted, marginal, shifted). */
    private static final double[] URIAL = {0.777, 0.145, 0.078};
    private static final Object[] END_MARKERS = {"<|end|>", "<|endoftext|>"};
    private static final List<String> CATEGORIES = List.of("unshifted", "marginal", "shifted");

    private static final StructType MESSAGE = new StructType()
            .add("role", DataTypes.StringType, false)
            .add("content", DataTypes.StringType, false);
    private static final StructType PROMPTS = new StructType()
            .add("id", DataTypes.StringType, false)
            .add("prompt", DataTypes.StringType, false)
            .add("messages", DataTypes.createArrayType(MESSAGE, false), false)
            .add("reference", DataTypes.StringType, false)
            .add("attribute", DataTypes.StringType, true);

    private AlignmentPair() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3 || !(args[0].equals("prompts") && args.length == 3 || args[0].equals("report") && args.length >= 5)) {
            System.err.println("usage: AlignmentPair prompts QA_DIR OUT\n"
                    + "       AlignmentPair report PROMPTS MD TSV [shift:LABEL=TOKEN_SHIFT_DIR]... [LABEL=GENERATE_DIR]...");
            System.exit(2);
        }
        SparkSession spark = SparkSessions.create("alignment-pair", Settings.load(null,
                List.of("spark.master=\"local[1]\"", "spark.conf.\"spark.ui.showConsoleProgress\"=false")));
        spark.sparkContext().setLogLevel("WARN");
        try {
            if (args[0].equals("prompts")) {
                prompts(spark, args[1], args[2]);
            } else {
                Map<String, String> shifts = new LinkedHashMap<>();
                Map<String, String> runs = new LinkedHashMap<>();
                for (int i = 4; i < args.length; i++) {
                    // Labels may hold '=' (T=0.8); folders here do not.
                    int eq = args[i].lastIndexOf('=');
                    if (eq <= 0) {
                        System.err.println("not LABEL=DIR: " + args[i]);
                        System.exit(2);
                    }
                    String label = args[i].substring(0, eq);
                    if (label.startsWith("shift:")) {
                        shifts.put(label.substring("shift:".length()), args[i].substring(eq + 1));
                    } else {
                        runs.put(label, args[i].substring(eq + 1));
                    }
                }
                String md = report(spark, args[1], shifts, runs, Path.of(args[3]));
                Files.writeString(Path.of(args[2]), md);
                System.out.print(md);
            }
        } finally {
            spark.stop();
        }
    }

    /** The held-out questions as prompts; a row that is not a valid QA conversation is counted and left out. */
    static void prompts(SparkSession spark, String qa, String out) {
        Dataset<Row> rows = spark.read().parquet(qa + "/data").where(col("split").equalTo("test"))
                .select("id", "messages", "attribute").orderBy("id");
        List<Row> kept = new ArrayList<>();
        int invalid = 0;
        for (Row r : rows.collectAsList()) {
            List<Message> messages = new ArrayList<>();
            for (Row m : r.<Row>getList(1)) {
                messages.add(new Message(m.getString(0), m.getString(1)));
            }
            QaItem item = QaItem.of(messages);
            if (item.problem() != null) {
                invalid++;
                continue;
            }
            List<Row> prompt = new ArrayList<>();
            for (Message m : item.prompt()) {
                prompt.add(RowFactory.create(m.role(), m.content()));
            }
            kept.add(RowFactory.create(r.getString(0), item.question(), prompt, item.reference(), r.getString(2)));
        }
        spark.createDataFrame(kept, PROMPTS).coalesce(1).write().mode("overwrite").parquet(out);
        System.out.printf("prompts: %d test-split questions, %d invalid conversations left out%n", kept.size(), invalid);
    }

    /**
     * @param shifts token-shift outputs by label
     * @param runs   generate outputs by label
     */
    static String report(SparkSession spark, String prompts, Map<String, String> shifts, Map<String, String> runs,
                         Path tsv) throws Exception {
        StringBuilder md = new StringBuilder();
        for (Map.Entry<String, String> shift : shifts.entrySet()) {
            md.append(shiftSummary(spark, shift.getKey(), shift.getValue()));
        }
        // The decoding runs against the references.
        Map<String, String> references = new HashMap<>();
        for (Row r : spark.read().parquet(prompts).select("id", "reference").collectAsList()) {
            references.put(r.getString(0), r.getString(1));
        }
        md.append(String.format(Locale.ROOT, "Decoding, %d prompts (the test-split questions in the chat template):%n%n",
                references.size()));
        md.append("| decoding | responses | mean tokens | median tokens | stop by themselves | repeated 4-grams "
                + "(mean per response) | repeated 4-grams (pooled) | exact match |\n"
                + "| --- | --- | --- | --- | --- | --- | --- | --- |\n");
        StringBuilder rows = new StringBuilder("run\tresponses\trejected\tmean_tokens\tmedian_tokens\tstop_rate"
                + "\trepeat4_mean\tresponses_with_4grams\trepeat4_pooled\texact_match\tmatched\n");
        for (Map.Entry<String, String> run : runs.entrySet()) {
            Map<String, Object> runStats = Json.readMap(Files.readString(Path.of(run.getValue(), "stats.json")));
            ResponseMetrics m = new ResponseMetrics();
            for (Row r : spark.read().parquet(run.getValue() + "/data")
                    .select("id", "completion", "token_ids", "finish_reason").collectAsList()) {
                List<Integer> ids = r.getList(2);
                int[] t = ids.stream().mapToInt(Integer::intValue).toArray();
                String reference = references.get(r.getString(0));
                m.add(t, "stop".equals(r.getString(3)), reference == null ? null : AnswerMatch.matches(r.getString(1), reference));
            }
            md.append(String.format(Locale.ROOT, "| %s | %d | %.1f | %.1f | %s | %s | %s | %s |%n", run.getKey(),
                    m.responses(), m.meanLength(), m.medianLength(), pct(m.stopRate()), pct(m.repeatRate()),
                    pct(m.pooledRepeatRate()), Double.isNaN(m.exactMatch()) ? "" : m.matched() + " / " + m.responses()));
            rows.append(String.join("\t", run.getKey(), String.valueOf(m.responses()),
                    String.valueOf(runStats.get("rows_rejected")), fmt(m.meanLength()), fmt(m.medianLength()),
                    fmt(m.stopRate()), fmt(m.repeatRate()), String.valueOf(m.responsesWithNgrams()),
                    fmt(m.pooledRepeatRate()), fmt(m.exactMatch()), String.valueOf(m.matched()))).append('\n');
        }
        Files.writeString(tsv, rows.toString());
        return md.toString();
    }

    /** One token-shift output: its stats.json summary, checked against and broken down from its data/ rows. */
    @SuppressWarnings("unchecked")
    static String shiftSummary(SparkSession spark, String label, String shift) throws Exception {
        StringBuilder md = new StringBuilder();
        Map<String, Object> stats = Json.readMap(Files.readString(Path.of(shift, "stats.json")));
        Dataset<Row> tokens = spark.read().parquet(shift + "/data").cache();
        Map<String, Object> counts = (Map<String, Object>) stats.get("token_counts");
        Map<String, Long> fromRows = new HashMap<>();
        for (Row r : tokens.groupBy("shift").count().collectAsList()) {
            fromRows.put(r.getString(0), r.getLong(1));
        }
        for (String category : CATEGORIES) {
            long a = ((Number) counts.get(category)).longValue();
            if (a != fromRows.getOrDefault(category, 0L)) {
                throw new IllegalStateException(shift + ": stats.json and data/ disagree on " + category + ": " + a
                        + " vs " + fromRows.get(category));
            }
        }
        Map<String, Object> shares = (Map<String, Object>) stats.get("shares");
        long responses = tokens.select("prompt_id").distinct().count();
        md.append(String.format(Locale.ROOT, "Token shift, %s: %s prompts scored, %s tokens of the aligned model's "
                        + "greedy responses (%.1f per response, the end marker included).%n%n", label,
                stats.get("prompts_scored"), stats.get("tokens"), ((Number) stats.get("tokens")).doubleValue() / responses));
        md.append("| tokens | count | unshifted (base rank 1) | marginal (2-3) | shifted (> 3) |\n"
                + "| --- | --- | --- | --- | --- |\n");
        md.append(String.format(Locale.ROOT, "| all | %s | %s | %s | %s |%n", stats.get("tokens"),
                pct(shares.get("unshifted")), pct(shares.get("marginal")), pct(shares.get("shifted"))));
        // The end markers apart from the words: URIAL found end of text among the most shifted tokens.
        md.append(categoryRow("end markers (`<\\|end\\|>`, `<\\|endoftext\\|>`)", tokens.where(col("token").isin(END_MARKERS))));
        md.append(categoryRow("all other tokens", tokens.where(not(col("token").isin(END_MARKERS)))));
        md.append(String.format(Locale.ROOT, "| URIAL, Llama-2-7b vs -chat | | %s | %s | %s |%n", pct(URIAL[0]),
                pct(URIAL[1]), pct(URIAL[2])));

        md.append("\n| positions in the response | tokens | unshifted | marginal | shifted |\n"
                + "| --- | --- | --- | --- | --- |\n");
        Map<String, Object> byPosition = (Map<String, Object>) stats.get("shares_by_position");
        for (Map.Entry<String, Object> e : byPosition.entrySet()) {
            Map<String, Object> b = (Map<String, Object>) e.getValue();
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s |%n", e.getKey(), b.get("tokens"),
                    pct(b.get("unshifted")), pct(b.get("marginal")), pct(b.get("shifted"))));
        }

        md.append("\n| most often shifted tokens | shifted | emitted | shifted / emitted |\n| --- | --- | --- | --- |\n");
        for (Object o : (List<Object>) stats.get("top_shifted")) {
            Map<String, Object> t = (Map<String, Object>) o;
            long s = ((Number) t.get("shifted")).longValue();
            long n = ((Number) t.get("emitted")).longValue();
            md.append(String.format(Locale.ROOT, "| `%s` | %d | %d | %s |%n", show((String) t.get("token")), s, n,
                    pct(s / (double) n)));
        }
        md.append('\n');
        tokens.unpersist();
        return md.toString();
    }

    private static String categoryRow(String label, Dataset<Row> rows) {
        long[] c = new long[3];
        for (Row r : rows.groupBy("shift").count().collectAsList()) {
            c[CATEGORIES.indexOf(r.getString(0))] = r.getLong(1);
        }
        long n = c[0] + c[1] + c[2];
        return String.format(Locale.ROOT, "| %s | %d | %s | %s | %s |%n", label, n, share(c[0], n), share(c[1], n),
                share(c[2], n));
    }

    private static String share(long k, long n) {
        return n == 0 ? "" : pct(k / (double) n);
    }

    private static String pct(Object share) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * ((Number) share).doubleValue());
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    /** A token as Markdown code: white space made visible, table pipes escaped. */
    private static String show(String token) {
        return token.replace("\n", "\\n").replace(" ", "␣").replace("|", "\\|");
    }
}
