package ai.refinery.core.report;

import ai.refinery.core.build.Build;
import ai.refinery.core.config.NoInputError;
import ai.refinery.core.output.Json;
import ai.refinery.core.output.Layout;
import ai.refinery.core.schema.Columns;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.apache.spark.sql.functions.col;

/**
 * What a report shows, read from a build folder ({@code build.json} and each stage's output) or from one stage
 * output folder: each stage's stats.json and manifest.json as they are, plus two things stats.json does not hold,
 * read from the Parquet with Spark: dedup's cluster sizes (the {@code cluster_size} column of {@code data/}) and a
 * training run's curves ({@code metrics/}).
 */
public final class Report {
    /** One stage output of the report. */
    public record StageData(String name, String command, String path, String outcome, Double seconds,
                            Map<String, Object> stats, Map<String, Object> manifest,
                            TreeMap<Integer, Long> clusterSizes, List<MetricPoint> metrics) {
        public long count(String key) {
            Object v = stats.get(key);
            return v instanceof Number n ? n.longValue() : 0;
        }
    }

    /** One metrics/ row: step, tokens, loss, and val_loss where the step was evaluated (else null). */
    public record MetricPoint(long step, long tokens, double loss, Double valLoss) {
    }

    private final String title;
    private final Map<String, Object> build;
    private final List<StageData> stages;

    Report(String title, Map<String, Object> build, List<StageData> stages) {
        this.title = title;
        this.build = build;
        this.stages = List.copyOf(stages);
    }

    public String title() {
        return title;
    }

    /** build.json, or null for the report of a single stage folder. */
    public Map<String, Object> build() {
        return build;
    }

    public List<StageData> stages() {
        return stages;
    }

    /**
     * @throws NoInputError when the folder is neither a build folder nor a stage output (exit 3)
     */
    public static Report collect(SparkSession spark, String folder, int maxCurvePoints) {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        try {
            Path dir = new Path(folder);
            FileSystem fs = dir.getFileSystem(conf);
            if (!fs.exists(dir)) {
                throw new NoInputError(folder + ": no such folder");
            }
            Path buildJson = new Path(dir, Build.MANIFEST);
            if (fs.exists(buildJson)) {
                Map<String, Object> build = Json.readMap(read(fs, buildJson));
                List<StageData> stages = new ArrayList<>();
                for (Object o : (List<?>) build.getOrDefault("stages", List.of())) {
                    Map<?, ?> line = (Map<?, ?>) o;
                    String name = String.valueOf(line.get("stage"));
                    Path out = new Path(dir, name);
                    if (fs.exists(new Path(out, Layout.STATS))) {
                        Object seconds = line.get("seconds");
                        stages.add(stage(spark, fs, out, name, String.valueOf(line.get("outcome")),
                                seconds instanceof Number n ? n.doubleValue() : null, maxCurvePoints));
                    }
                }
                return new Report("Build " + build.get("date"), build, stages);
            }
            if (fs.exists(new Path(dir, Layout.STATS))) {
                return new Report(dir.getName(), null, List.of(stage(spark, fs, dir, dir.getName(), null, null, maxCurvePoints)));
            }
            throw new NoInputError(folder + ": neither a build folder (" + Build.MANIFEST + ") nor a stage output ("
                    + Layout.STATS + ")");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + folder, e);
        }
    }

    private static StageData stage(SparkSession spark, FileSystem fs, Path dir, String name, String outcome,
                                   Double seconds, int maxCurvePoints) throws IOException {
        Map<String, Object> stats = Json.readMap(read(fs, new Path(dir, Layout.STATS)));
        Path manifestPath = new Path(dir, Layout.MANIFEST);
        Map<String, Object> manifest = fs.exists(manifestPath) ? Json.readMap(read(fs, manifestPath)) : new java.util.HashMap<>();
        if (manifest.get("data") instanceof String read) {
            // Qualified like the stage paths, so a run is matched with the packed data it read.
            manifest.put("data", fs.makeQualified(new Path(read)).toString());
        }
        String command = String.valueOf(manifest.getOrDefault("command", name));
        TreeMap<Integer, Long> clusters = null;
        Path data = new Path(dir, Layout.DATA);
        if (hasParquet(fs, data)) {
            Dataset<Row> rows = spark.read().parquet(data.toString());
            if (Arrays.asList(rows.columns()).contains(Columns.CLUSTER_SIZE)) {
                clusters = new TreeMap<>();
                for (Row r : rows.groupBy(col(Columns.CLUSTER_SIZE)).count().collectAsList()) {
                    clusters.put(r.isNullAt(0) ? 1 : ((Number) r.get(0)).intValue(), r.getLong(1));
                }
            }
        }
        List<MetricPoint> metrics = null;
        Path metricsDir = new Path(dir, Layout.METRICS);
        if (hasParquet(fs, metricsDir)) {
            metrics = new ArrayList<>();
            for (Row r : spark.read().parquet(metricsDir.toString()).select("step", "tokens", "loss", "val_loss")
                    .orderBy("step").collectAsList()) {
                metrics.add(new MetricPoint(r.getLong(0), r.getLong(1), r.getDouble(2), r.isNullAt(3) ? null : r.getDouble(3)));
            }
            metrics = thin(metrics, maxCurvePoints);
        }
        return new StageData(name, command, fs.makeQualified(dir).toString(), outcome, seconds, stats, manifest, clusters, metrics);
    }

    /** At most {@code max} training points, evenly spread, first and last kept; evaluated steps are always kept. */
    static List<MetricPoint> thin(List<MetricPoint> points, int max) {
        if (points.size() <= max) {
            return points;
        }
        List<MetricPoint> out = new ArrayList<>();
        double every = (points.size() - 1) / (double) (max - 1);
        double next = 0;
        for (int i = 0; i < points.size(); i++) {
            boolean last = i == points.size() - 1;
            if (i >= Math.round(next) || last || points.get(i).valLoss() != null) {
                out.add(points.get(i));
                if (i >= Math.round(next)) {
                    next += every;
                }
            }
        }
        return out;
    }

    private static boolean hasParquet(FileSystem fs, Path dir) throws IOException {
        if (!fs.exists(dir) || !fs.getFileStatus(dir).isDirectory()) {
            return false;
        }
        var files = fs.listFiles(dir, true);
        while (files.hasNext()) {
            if (files.next().getPath().getName().endsWith(".parquet")) {
                return true;
            }
        }
        return false;
    }

    private static String read(FileSystem fs, Path path) throws IOException {
        try (InputStream in = fs.open(path)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
