package ai.refinery.rephrasing.select;

import ai.refinery.core.config.ConfigError;
import ai.refinery.core.outcome.Counts;
import ai.refinery.core.output.Layout;
import ai.refinery.core.output.Output;
import ai.refinery.core.schema.Columns;
import ai.refinery.core.spark.ParquetInputs;
import ai.refinery.core.spark.RejectedRows;
import ai.refinery.core.stage.Stage;
import ai.refinery.core.stage.StageContext;
import ai.refinery.core.stage.StageResult;
import ai.refinery.dedup.DedupJob;
import ai.refinery.dedup.DedupResult;
import ai.refinery.dedup.DedupSettings;
import ai.refinery.rephrasing.RephraseStage;
import ai.refinery.rephrasing.model.ModelRephraseSettings;
import ai.refinery.rephrasing.model.OpenAiCompletionsClient;
import ai.refinery.rephrasing.model.TextGenerator;
import com.typesafe.config.Config;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

/**
 * The select stage: SFT data selection by one rule of select.rule over instruction rows (id, messages, ...).
 * data/ holds the selected rows with the input's columns (judge adds judge_score); rejected/ every other row with
 * the rule that dropped it (column rule), stage "select", a reason and a detail; rows_in = rows_out +
 * rows_rejected.
 *
 * <p>Reasons: {@code not_longest} and {@code not_drawn} (beyond n for longest and random), {@code below_threshold},
 * {@code judge_failed}, {@code judge_unparsed} (judge), {@code category_dropped} and {@code no_category}
 * (knowledge), {@code exact-duplicate} and {@code near-duplicate} (dedup), {@code over_n} (a filter's rows beyond
 * n), {@code no_response} (a row without an assistant turn, rule "input").
 */
public final class SelectStage implements Stage {
    public static final String STAGE = "select";
    private static final String INSTRUCTION = "_instruction";
    private static final String RESPONSE = "_response";

    private final List<String> inputs;
    private final RephraseStage.LocalModelLoader localModels;

    public SelectStage(List<String> inputs, RephraseStage.LocalModelLoader localModels) {
        this.inputs = List.copyOf(inputs);
        this.localModels = localModels;
    }

    @Override
    public void check(Config config) {
        SelectSettings s = SelectSettings.from(config);
        if (s.rule() == SelectSettings.Rule.DEDUP) {
            DedupSettings.fromConfig(config);
        }
    }

    /** The per-row decision of a rule: keep or not, why not, the order of the cap at n, and extra columns. */
    private record Decision(Dataset<Row> rows, List<String> extra, String capReason) {
    }

    @Override
    public StageResult run(StageContext context) throws Exception {
        Config config = context.config();
        SelectSettings settings = SelectSettings.from(config);
        SparkSession spark = context.spark();
        Dataset<Row> input = ParquetInputs.read(spark, inputs);
        List<String> columns = Arrays.asList(input.columns());
        if (!columns.contains("id") || !columns.contains("messages")) {
            throw new ConfigError("--input: select reads instruction rows with id and messages columns; columns: "
                    + String.join(", ", columns));
        }
        long rowsIn = input.count();
        if (input.select("id").distinct().count() != rowsIn || input.filter(col("id").isNull()).count() > 0) {
            throw new ConfigError("--input: ids must be unique and not null (rows are selected and joined by id)");
        }
        Column[] inputCols = columns.stream().map(c -> col(c)).toArray(Column[]::new);
        Dataset<Row> rows = input
                .withColumn(INSTRUCTION, expr("array_join(transform(filter(messages, m -> m.role = 'user'), m -> m.content), '\\n')"))
                .withColumn(RESPONSE, expr("array_join(transform(filter(messages, m -> m.role = 'assistant'), m -> m.content), '\\n')"))
                .persist(StorageLevel.MEMORY_AND_DISK());
        Column valid = col(RESPONSE).isNotNull().and(length(col(RESPONSE)).gt(0));
        Dataset<Row> usable = rows.filter(valid);
        Dataset<Row> invalid = rows.filter(not(valid)).select(col("id").cast("string").as("_id"))
                .withColumn("_keep", lit(false)).withColumn("_rule", lit("input"))
                .withColumn("_reason", lit("no_response")).withColumn("_detail", lit("the row has no assistant turn"))
                .withColumn("_order", lit(0.0));

        Output out = context.output();
        Decision d = decide(settings, usable, config, spark, out);
        Dataset<Row> decided = d.rows().select(col("_id"), col("_keep"), lit(settings.rule().wire()).as("_rule"),
                col("_reason"), col("_detail"), col("_order"));
        // The cap at n: longest and random select by it, the filters keep at most n of what passed.
        if (settings.n() > 0) {
            Dataset<Row> chosen = decided.filter(col("_keep")).orderBy(col("_order"), col("_id")).limit(settings.n())
                    .select(col("_id").as("_chosen"));
            decided = decided.join(chosen, decided.col("_id").equalTo(chosen.col("_chosen")), "left")
                    .select(col("_id"), col("_keep").and(col("_chosen").isNotNull()).as("_keep"), col("_rule"),
                            when(col("_keep").and(col("_chosen").isNull()), lit(d.capReason())).otherwise(col("_reason")).as("_reason"),
                            when(col("_keep").and(col("_chosen").isNull()), lit("beyond select.n = " + settings.n()))
                                    .otherwise(col("_detail")).as("_detail"),
                            col("_order"));
        }
        Dataset<Row> all = decided.unionByName(invalid)
                .persist(StorageLevel.MEMORY_AND_DISK());
        Dataset<Row> joined = rows.join(all, rows.col("id").cast("string").equalTo(all.col("_id")));
        if (!d.extra().isEmpty()) {
            Dataset<Row> extra = d.rows().select(col("_id").as("_xid"), col(d.extra().get(0)));
            joined = joined.join(extra, joined.col("_id").equalTo(extra.col("_xid")), "left");
        }
        List<Column> dataCols = new ArrayList<>(Arrays.asList(inputCols));
        d.extra().forEach(c -> dataCols.add(col(c)));
        Dataset<Row> data = joined.filter(col("_keep")).select(dataCols.toArray(Column[]::new));
        List<Column> rejectedCols = new ArrayList<>(Arrays.asList(inputCols));
        rejectedCols.add(col("_rule").as("rule"));
        rejectedCols.add(lit(STAGE).as(Columns.STAGE));
        rejectedCols.add(col("_reason").as(Columns.REASON));
        rejectedCols.add(col("_detail").as("detail"));
        Dataset<Row> rejected = joined.filter(not(col("_keep"))).select(rejectedCols.toArray(Column[]::new));
        try {
            out.writeParquet(Layout.DATA, data);
            out.writeParquet(Layout.REJECTED, rejected);
            Counts counts = Counts.of(rowsIn, data.count(), RejectedRows.byStageAndReason(rejected));
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("rule", settings.rule().wire());
            figures.put("n", settings.n());
            Row inMean = usable.agg(avg(length(col(RESPONSE)))).first();
            Row outMean = joined.filter(col("_keep")).agg(avg(length(col(RESPONSE)))).first();
            figures.put("response_chars_mean_in", inMean.isNullAt(0) ? 0.0 : Math.round(inMean.getDouble(0) * 10) / 10.0);
            figures.put("response_chars_mean_out", outMean.isNullAt(0) ? 0.0 : Math.round(outMean.getDouble(0) * 10) / 10.0);
            return StageResult.of(counts, figures, "select (" + settings.rule().wire() + "): " + counts.rowsIn()
                    + " rows in, " + counts.rowsOut() + " selected, " + counts.rowsRejected() + " rejected");
        } finally {
            all.unpersist();
            rows.unpersist();
        }
    }

    /** Rows (_id, _keep, _reason, _detail, _order, extra columns) of the usable rows under the rule. */
    private Decision decide(SelectSettings s, Dataset<Row> usable, Config config, SparkSession spark, Output out) {
        Column id = col("id").cast("string").as("_id");
        Column seeded = xxhash64(lit(s.seed()), col("id")).cast("double");
        switch (s.rule()) {
            case LONGEST:
                return new Decision(usable.select(id, lit(true).as("_keep"), lit(null).cast("string").as("_reason"),
                        lit(null).cast("string").as("_detail"), length(col(RESPONSE)).cast("double").multiply(-1).as("_order")),
                        List.of(), "not_longest");
            case RANDOM:
                return new Decision(usable.select(id, lit(true).as("_keep"), lit(null).cast("string").as("_reason"),
                        lit(null).cast("string").as("_detail"), seeded.as("_order")), List.of(), "not_drawn");
            case KNOWLEDGE: {
                Dataset<Row> k = ParquetInputs.read(spark, List.of(s.knowledge()));
                if (!Arrays.asList(k.columns()).contains("category") || !Arrays.asList(k.columns()).contains("id")) {
                    throw ConfigError.forKey("select.knowledge.input", s.knowledge() + " is not an output of refinery "
                            + "knowledge (no id and category columns)");
                }
                out.manifest().put("knowledge", s.knowledge());
                Dataset<Row> cats = k.select(col("id").cast("string").as("_kid"), col("category"));
                Column category = col("category");
                Column dropped = category.isin(s.drop().toArray());
                Dataset<Row> j = usable.join(cats, usable.col("id").cast("string").equalTo(cats.col("_kid")), "left");
                return new Decision(j.select(id, category.isNotNull().and(not(dropped)).as("_keep"),
                        when(category.isNull(), lit("no_category")).when(dropped, lit("category_dropped")).as("_reason"),
                        when(category.isNull(), lit("no row of this id in select.knowledge.input"))
                                .when(dropped, category).as("_detail"), seeded.as("_order")), List.of(), "over_n");
            }
            case DEDUP: {
                DedupResult r = DedupJob.run(spark, usable.select(col("id").cast("string").as("id"),
                        col(INSTRUCTION).as("text")), DedupSettings.fromConfig(config));
                Dataset<Row> removed = r.removed().select(col("id").as("_rid"), col(Columns.REASON).as("_dreason"),
                        col(Columns.DUPLICATE_OF).as("_dup"));
                Dataset<Row> j = usable.join(removed, usable.col("id").cast("string").equalTo(removed.col("_rid")), "left")
                        .localCheckpoint();
                return new Decision(j.select(id, col("_dreason").isNull().as("_keep"), col("_dreason").as("_reason"),
                        when(col("_dup").isNotNull(), concat(lit("duplicate of "), col("_dup"))).as("_detail"),
                        seeded.as("_order")), List.of(), "over_n");
            }
            case JUDGE:
            default:
                return judge(s, usable, config, spark, out);
        }
    }

    private static final StructType SCORED = new StructType()
            .add("_sid", DataTypes.StringType, true)
            .add("judge_score", DataTypes.DoubleType, true)
            .add("_error", DataTypes.StringType, true)
            .add("_answer", DataTypes.StringType, true);

    private Decision judge(SelectSettings s, Dataset<Row> usable, Config config, SparkSession spark, Output out) {
        SelectSettings.Judge j = s.judge();
        ModelRephraseSettings client = j.client();
        TextGenerator.Source source;
        if (j.localModel().isEmpty()) {
            if (client.model().isEmpty()) {
                try {
                    client = client.withModel(OpenAiCompletionsClient.firstModel(client.endpoint(), client.timeoutS()));
                } catch (Exception e) {
                    throw ConfigError.forKey("select.judge.model", "is empty and " + client.endpoint()
                            + "/v1/models could not name one: " + e.getMessage());
                }
            }
            source = OpenAiCompletionsClient::new;
            out.manifest().put("judge", Map.of("endpoint", client.endpoint(), "model", client.model()));
        } else {
            RephraseStage.LocalModel model = localModels.load("select.judge.local_model", j.localModel(), false, config, spark);
            out.manifest().put("judge", Map.of("model", model.describe()));
            client = client.model().isEmpty() ? client.withModel(model.modelId()) : client;
            source = model.source();
        }
        ModelRephraseSettings settings = client;
        String template = j.template();
        int maxChars = j.maxChars();
        MapPartitionsFunction<Row, Row> score = rows -> {
            if (!rows.hasNext()) {
                return java.util.Collections.emptyIterator();
            }
            TextGenerator generator = source.open(settings);
            List<Row> outRows = new ArrayList<>();
            List<Row> batch = new ArrayList<>();
            while (rows.hasNext() || !batch.isEmpty()) {
                if (rows.hasNext() && batch.size() < settings.batchSize()) {
                    batch.add(rows.next());
                    continue;
                }
                List<String> prompts = new ArrayList<>(batch.size());
                for (Row r : batch) {
                    prompts.add(SelectRules.judgePrompt(template, r.getString(1), r.getString(2), maxChars));
                }
                List<TextGenerator.Generated> got = generator.generate(prompts);
                for (int i = 0; i < batch.size(); i++) {
                    TextGenerator.Generated g = got.get(i);
                    outRows.add(RowFactory.create(batch.get(i).getString(0), g.failed() ? null : SelectRules.score(g.text()),
                            g.error(), g.text()));
                }
                batch.clear();
            }
            generator.close();
            return outRows.iterator();
        };
        Dataset<Row> scored = usable.select(col("id").cast("string"), col(INSTRUCTION), col(RESPONSE))
                .mapPartitions(score, Encoders.row(SCORED)).localCheckpoint();
        Column sc = col("judge_score");
        Column failed = col("_error").isNotNull();
        Column unparsed = col("_error").isNull().and(sc.isNull());
        Column below = sc.lt(j.threshold());
        return new Decision(scored.select(col("_sid").as("_id"), sc.isNotNull().and(sc.geq(j.threshold())).as("_keep"),
                when(failed, lit("judge_failed")).when(unparsed, lit("judge_unparsed")).when(below, lit("below_threshold"))
                        .as("_reason"),
                when(failed, col("_error")).when(unparsed, concat(lit("the judge answered: "), col("_answer")))
                        .when(below, concat(lit("score "), sc.cast("string"), lit(" < "), lit(String.valueOf(j.threshold()))))
                        .as("_detail"),
                sc.multiply(-1).as("_order"), sc), List.of("judge_score"), "over_n");
    }
}
