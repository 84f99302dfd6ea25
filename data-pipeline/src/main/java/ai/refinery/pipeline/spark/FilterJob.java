package ai.refinery.pipeline.spark;

import ai.refinery.core.config.ConfigError;
import ai.refinery.core.config.NoInputError;
import ai.refinery.pipeline.doc.Document;
import ai.refinery.pipeline.doc.DocumentIds;
import ai.refinery.pipeline.filter.DocumentFilter;
import ai.refinery.pipeline.filter.FilterStages;
import ai.refinery.pipeline.filter.Outcome;
import ai.refinery.pipeline.funnel.FilterPipeline;
import ai.refinery.pipeline.funnel.ScoreSettings;
import ai.refinery.pipeline.funnel.FunnelStats;
import ai.refinery.pipeline.funnel.TracedOutcome;
import ai.refinery.pipeline.langid.LanguageFilter;
import ai.refinery.core.output.Layout;
import ai.refinery.core.outcome.Counts;
import ai.refinery.core.output.Output;
import ai.refinery.core.output.OutputSettings;
import ai.refinery.core.schema.Columns;
import ai.refinery.core.schema.DocumentSchema;
import ai.refinery.core.spark.SerializableHadoopConf;
import ai.refinery.core.spark.ShufflePartitions;
import ai.refinery.core.stage.Stage;
import ai.refinery.core.stage.StageContext;
import ai.refinery.core.stage.StageResult;
import ai.refinery.pipeline.read.InputFiles;
import ai.refinery.pipeline.read.ReadOptions;
import ai.refinery.pipeline.read.RejectReasons;
import ai.refinery.pipeline.read.SourceFormat;
import ai.refinery.pipeline.read.SourceReaders;
import com.typesafe.config.Config;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * The filter stage as a Spark job: read every input record, run it through the configured filters, and write
 * kept documents to data/, rejected ones (with stage and reason) to rejected/, the funnel to stats.json and
 * what ran to manifest.json, atomically. The per-document logic lives in {@link FilterPipeline}; this class only
 * distributes it.
 */
public final class FilterJob implements Stage {
    private static final Logger LOG = LoggerFactory.getLogger(FilterJob.class);

    static final String STATUS = "_status";
    static final String KEPT = "kept";
    static final String REJECTED = "rejected";
    static final String FILE_ERROR = "file_error";

    private final List<String> inputs;
    /** Inputs already resolved (tests), else null: resolved when the stage runs. */
    private final InputFiles.Resolution resolved;

    /** @param inputs the --input specs: files, folders, globs, any Hadoop FS URI */
    public FilterJob(List<String> inputs) {
        this(inputs, null);
    }

    /** Runs on inputs already resolved (the files are opened only by the executors). */
    FilterJob(List<String> inputs, InputFiles.Resolution resolved) {
        this.inputs = List.copyOf(inputs);
        this.resolved = resolved;
    }

    /** Validates the configuration of every stage without touching any input (errors are exit 2). */
    public static FilterPipeline pipeline(Config config) {
        List<DocumentFilter> stages = FilterStages.fromConfig(config, Map.of("language", LanguageFilter::fromConfig));
        return new FilterPipeline(stages, ScoreSettings.fromConfig(config, stages.stream().map(DocumentFilter::name).toList()));
    }

    @Override
    public void check(Config config) {
        pipeline(config);
        ReadOptions.from(config);
        OutputSettings.files(config);
    }

    @Override
    public StageResult run(StageContext context) {
        Config config = context.config();
        SparkSession spark = context.spark();
        ReadOptions readOptions = ReadOptions.from(config);
        FilterPipeline pipeline = pipeline(config);
        int outputFiles = OutputSettings.files(config);
        InputFiles.Resolution inputs = resolved != null ? resolved : resolve(context, readOptions);
        for (String unmatched : inputs.unmatched()) {
            LOG.warn("Input matches no file: {}", unmatched);
        }
        if (inputs.files().isEmpty()) {
            throw new NoInputError("no input files found for --input " + String.join(",", this.inputs));
        }
        Output output = context.output();
        ShufflePartitions.fit(spark, inputs.totalBytes());
        LOG.info("Filtering {} input files ({} bytes) through stages {}", inputs.files().size(), inputs.totalBytes(),
                pipeline.stageNames());
        Dataset<Row> outcomes = outcomes(spark, inputs, readOptions, pipeline).persist(StorageLevel.MEMORY_AND_DISK());
        try {
            LOG.info("Reading and filtering every record, counting the funnel");
            FunnelStats funnel = outcomes.filter(functions.col(STATUS).notEqual(FILE_ERROR)).javaRDD()
                    .aggregate(new FunnelStats(pipeline.stageNames()), FilterJob::count, FunnelStats::merge);
            funnel.setInputBytes(inputs.totalBytes());
            List<Map<String, String>> unreadableFiles = unreadableFiles(outcomes);
            if (funnel.documentsIn() == 0) {
                throw new NoInputError("no readable input: " + inputs.files().size() + " file(s) held no records"
                        + (unreadableFiles.isEmpty() ? "" : "; unreadable: " + unreadableFiles));
            }
            LOG.info("Writing {} kept documents to data/ and {} rejected to rejected/", funnel.documentsKept(),
                    funnel.documentsRejected());
            output.writeParquet(Layout.DATA, select(outcomes, KEPT, DocumentSchema.DOCUMENT_COLUMNS, outputFiles));
            output.writeParquet(Layout.REJECTED, select(outcomes, REJECTED, DocumentSchema.REJECTED_COLUMNS, outputFiles));

            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("input_files", inputs.files().size());
            figures.put("input_bytes", inputs.totalBytes());
            figures.put("unreadable_files", unreadableFiles);
            figures.put("unmatched_inputs", inputs.unmatched());
            figures.putAll(funnel.toMap());
            output.manifest().put("inputs", inputs.describe());
            Counts counts = funnel.counts();
            return new StageResult(counts, figures, Map.of("unreadable_files", unreadableFiles.size()),
                    String.format(Locale.ROOT, "%,d documents in, %,d kept, %,d rejected%s", counts.rowsIn(),
                            counts.rowsOut(), counts.rowsRejected(),
                            unreadableFiles.isEmpty() ? "" : ", " + unreadableFiles.size() + " unreadable file(s)"));
        } finally {
            outcomes.unpersist();
        }
    }

    private InputFiles.Resolution resolve(StageContext context, ReadOptions readOptions) {
        try {
            return InputFiles.resolve(inputs, context.hadoop(), readOptions.format());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list inputs " + inputs, e);
        }
    }

    /** Every input record as one row of the internal schema: the output columns plus status and size trace. */
    static Dataset<Row> outcomes(SparkSession spark, InputFiles.Resolution inputs, ReadOptions options,
                                 FilterPipeline pipeline) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<String[]> streamed = new ArrayList<>();
        List<String> parquet = new ArrayList<>();
        for (InputFiles.InputFile file : inputs.files()) {
            if (file.format() == SourceFormat.PARQUET) {
                parquet.add(file.uri());
            } else {
                streamed.add(new String[] {file.uri(), file.format().code()});
            }
        }
        SerializableHadoopConf hadoopConf = new SerializableHadoopConf(spark.sparkContext().hadoopConfiguration());
        JavaRDD<Row> rows = jsc.emptyRDD();
        if (!streamed.isEmpty()) {
            // One partition per file: crawl dumps come as many similar-sized files, and WARC is not splittable.
            rows = jsc.parallelize(streamed, streamed.size())
                    .mapPartitions(files -> new FlatIterator<>(files, f -> readFile(f[0], SourceFormat.fromCode(f[1]),
                            options, hadoopConf, pipeline)));
        }
        if (!parquet.isEmpty()) {
            rows = rows.union(parquetRows(spark, parquet, options).javaRDD().map(row -> toRow(pipeline.run(fromParquet(row, options)))));
        }
        return spark.createDataFrame(rows, INTERNAL);
    }

    private static Iterator<Row> readFile(String uri, SourceFormat format, ReadOptions options,
                                          SerializableHadoopConf hadoopConf, FilterPipeline pipeline) {
        Iterator<Outcome> records;
        try {
            InputStream in = InputFiles.openForReader(uri, hadoopConf.get());
            records = SourceReaders.forFormat(format).read(uri, in, options);
        } catch (Exception e) {
            LOG.error("Cannot open input file {}: {}", uri, e.toString());
            return Collections.singletonList(fileError(uri, format, e)).iterator();
        }
        return new Iterator<>() {
            private boolean failed;

            @Override
            public boolean hasNext() {
                if (failed) {
                    return false;
                }
                try {
                    return records.hasNext();
                } catch (RuntimeException e) {
                    return true; // next() turns the failure into one counted rejection
                }
            }

            @Override
            public Row next() {
                if (failed) {
                    throw new NoSuchElementException();
                }
                try {
                    return toRow(pipeline.run(records.next()));
                } catch (RuntimeException e) {
                    // A reader bug or an I/O error mid-file: count the rest of the file as one unreadable record.
                    failed = true;
                    LOG.error("Reading {} failed mid-file: {}", uri, e.toString());
                    Document lost = Document.of(DocumentIds.of(uri, "failure", false), "", null, uri, format.code(),
                            "failure", null);
                    return toRow(pipeline.run(Outcome.reject(lost, RejectReasons.UNREADABLE, e.toString())));
                }
            }
        };
    }

    private static Dataset<Row> parquetRows(SparkSession spark, List<String> files, ReadOptions options) {
        Dataset<Row> df = spark.read().parquet(files.toArray(new String[0]));
        List<String> columns = Arrays.asList(df.columns());
        if (!columns.contains(options.textField())) {
            throw ConfigError.forKey("input.text_field", "Parquet input has no column '" + options.textField()
                    + "' (columns: " + columns + ")");
        }
        return df.select(
                functions.col(options.textField()).cast(DataTypes.StringType).as("text"),
                optionalString(columns, options.idField()).as("id"),
                optionalString(columns, options.urlField()).as("url"),
                functions.col("_metadata.file_path").as("file_path"),
                functions.col("_metadata.row_index").as("row_index"));
    }

    private static org.apache.spark.sql.Column optionalString(List<String> columns, String name) {
        return columns.contains(name) ? functions.col(name).cast(DataTypes.StringType) : functions.lit(null).cast(DataTypes.StringType);
    }

    private static Outcome fromParquet(Row row, ReadOptions options) {
        String source = row.getAs("file_path");
        String recordId = "row:" + row.<Long>getAs("row_index");
        String givenId = row.getAs("id");
        String id = givenId != null ? givenId : DocumentIds.of(source, recordId, false);
        String text = row.getAs("text");
        String url = row.getAs("url");
        if (text == null) {
            return Outcome.reject(Document.of(id, "", url, source, SourceFormat.PARQUET.code(), recordId, null),
                    RejectReasons.UNREADABLE, "null in column " + options.textField());
        }
        return Outcome.keep(Document.of(id, text, url, source, SourceFormat.PARQUET.code(), recordId, null));
    }

    /** Output columns (stage and reason null while kept), the row's status, and its size after each stage. */
    static final StructType INTERNAL = DocumentSchema.withRejection(DocumentSchema.DOCUMENT, true)
            .add(STATUS, DataTypes.StringType, false)
            .add("_chars", DataTypes.createArrayType(DataTypes.IntegerType, false), false)
            .add("_bytes", DataTypes.createArrayType(DataTypes.IntegerType, false), false);

    private static Row toRow(TracedOutcome traced) {
        Outcome outcome = traced.outcome();
        Object[] doc = DocumentRows.values(outcome.document());
        Object[] values = Arrays.copyOf(doc, doc.length + 6);
        values[doc.length] = traced.rejectingStage();
        values[doc.length + 1] = outcome.reason();
        values[doc.length + 2] = outcome.detail();
        values[doc.length + 3] = traced.kept() ? KEPT : REJECTED;
        values[doc.length + 4] = boxed(traced.charsAfter());
        values[doc.length + 5] = boxed(traced.bytesAfter());
        return RowFactory.create(values);
    }

    private static Row fileError(String uri, SourceFormat format, Exception e) {
        Document doc = Document.of(DocumentIds.of(uri, "file", false), "", null, uri, format.code(), null, null);
        Object[] values = Arrays.copyOf(DocumentRows.values(doc), INTERNAL.size());
        int base = DocumentSchema.DOCUMENT.size();
        values[base] = RejectReasons.STAGE;
        values[base + 1] = "unopenable";
        values[base + 2] = e.toString();
        values[base + 3] = FILE_ERROR;
        values[base + 4] = new Integer[0];
        values[base + 5] = new Integer[0];
        return RowFactory.create(values);
    }

    private static Integer[] boxed(int[] values) {
        Integer[] boxed = new Integer[values.length];
        for (int i = 0; i < values.length; i++) {
            boxed[i] = values[i];
        }
        return boxed;
    }

    private static FunnelStats count(FunnelStats funnel, Row row) {
        List<Integer> chars = row.getList(row.fieldIndex("_chars"));
        List<Integer> bytes = row.getList(row.fieldIndex("_bytes"));
        funnel.add(row.getAs(Columns.STAGE), row.getAs(Columns.REASON), row.getAs(Columns.LANG), unboxed(chars), unboxed(bytes));
        return funnel;
    }

    private static int[] unboxed(List<Integer> values) {
        int[] out = new int[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }

    private static List<Map<String, String>> unreadableFiles(Dataset<Row> outcomes) {
        List<Map<String, String>> files = new ArrayList<>();
        for (Row row : outcomes.filter(functions.col(STATUS).equalTo(FILE_ERROR)).select("source", "detail")
                .orderBy("source").collectAsList()) {
            files.add(Map.of("source", row.getString(0), "error", String.valueOf(row.get(1))));
        }
        return files;
    }

    private static Dataset<Row> select(Dataset<Row> outcomes, String status, String[] columns, int files) {
        Dataset<Row> rows = outcomes.filter(functions.col(STATUS).equalTo(status))
                .select(Arrays.stream(columns).map(functions::col).toArray(org.apache.spark.sql.Column[]::new));
        return files > 0 ? rows.coalesce(files) : rows;
    }
}
