package ai.refinery.dedup;

import ai.refinery.core.config.ConfigError;
import ai.refinery.core.output.Json;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The signature index of incremental dedup: the signatures of every document earlier runs kept, so a new dump
 * is deduplicated against them without their texts. Layout, under any Hadoop FS folder:
 * <pre>
 *   index.json                      the comparable settings (written once, by the first append)
 *   segments/seg-&lt;time&gt;-&lt;uuid&gt;/      one folder of Parquet rows per run that appended
 *            _COMMITTED             written last: rows, the run's output folder, segments it replaces
 *   segments/.inprogress-&lt;uuid&gt;/     an append being written (hidden, ignored by every reader)
 * </pre>
 * An append is written into a hidden folder, renamed into place and only then marked committed, so a killed
 * or failed run leaves at most an ignored folder (removed by the next run), never half a segment that counts.
 * One writer at a time per index (nightly runs in sequence).
 *
 * <p>A run into the output folder of an earlier run (a rerun with --overwrite) does not match against that
 * run's segment, and its own segment replaces it: reruns do not find their own documents in the index.
 */
public final class SignatureIndex {
    public static final String SETTINGS_FILE = "index.json";
    public static final String SEGMENTS = "segments";
    public static final String COMMITTED = "_COMMITTED";
    private static final String IN_PROGRESS = ".inprogress-";

    /**
     * Rows of a segment: id and scope, then a document's features ({@link DocumentFeatures#SCHEMA});
     * {@code shingles} is null when the index stores no shingle sets.
     */
    public static final StructType SCHEMA = withFeatures(new StructType()
            .add("id", DataTypes.StringType, false)
            .add("scope", DataTypes.StringType, true));

    private static StructType withFeatures(StructType key) {
        StructType schema = key;
        for (org.apache.spark.sql.types.StructField f : DocumentFeatures.SCHEMA.fields()) {
            schema = schema.add(f);
        }
        return schema;
    }

    private static final Logger LOG = LoggerFactory.getLogger(SignatureIndex.class);

    /** A committed segment and what its marker says. */
    public record Segment(String name, long rows, String output) {
    }

    private final SparkSession spark;
    private final FileSystem fs;
    private final Path root;
    private final IndexSettings settings;
    private final Map<String, Object> format;
    private final boolean formatRecorded;
    private final String output;
    private final List<Segment> live;
    private final List<Segment> replaced;

    private SignatureIndex(SparkSession spark, FileSystem fs, Path root, IndexSettings settings, Map<String, Object> format,
                           boolean formatRecorded, String output, List<Segment> live, List<Segment> replaced) {
        this.spark = spark;
        this.fs = fs;
        this.root = root;
        this.settings = settings;
        this.format = format;
        this.formatRecorded = formatRecorded;
        this.output = output;
        this.live = live;
        this.replaced = replaced;
    }

    /**
     * Opens (or prepares to create) the index and checks that its recorded settings match this run's.
     *
     * @param output this run's output folder: segments an earlier run wrote for the same folder are replaced
     *               rather than matched against; null when there is no output folder
     * @throws ConfigError naming the first setting that differs from the index's (exit 2)
     */
    public static SignatureIndex open(SparkSession spark, IndexSettings index, DedupSettings settings, String output) {
        if (!index.enabled()) {
            throw ConfigError.forKey(IndexSettings.KEY_PATH, "no index path given");
        }
        if (!settings.nearEnabled()) {
            throw ConfigError.forKey("dedup.near.enabled", "must be true with " + IndexSettings.KEY_PATH
                    + ": the index holds MinHash signatures for later runs");
        }
        try {
            Path root = new Path(index.path());
            FileSystem fs = root.getFileSystem(spark.sparkContext().hadoopConfiguration());
            root = fs.makeQualified(root);
            String qualifiedOutput = output == null ? null : qualify(spark, output);
            Map<String, Object> format = IndexFormat.of(settings, index);
            Path settingsFile = new Path(root, SETTINGS_FILE);
            boolean recorded = fs.exists(settingsFile);
            if (recorded) {
                ConfigError mismatch = IndexFormat.mismatch(Json.readMap(read(fs, settingsFile)), format, root.toString());
                if (mismatch != null) {
                    throw mismatch;
                }
            } else if (fs.exists(root)) {
                // Before its first commit an index holds at most hidden or uncommitted appends.
                for (FileStatus status : fs.listStatus(root)) {
                    String name = status.getPath().getName();
                    if (!name.equals(SEGMENTS) && !name.startsWith(".")) {
                        throw ConfigError.forKey(IndexSettings.KEY_PATH, root + " holds " + name + " but no "
                                + SETTINGS_FILE + ": not a signature index");
                    }
                }
            }
            List<Segment> committed = new ArrayList<>();
            Set<String> superseded = new HashSet<>();
            Path segments = new Path(root, SEGMENTS);
            if (fs.exists(segments)) {
                for (FileStatus status : fs.listStatus(segments)) {
                    String name = status.getPath().getName();
                    if (name.startsWith(IN_PROGRESS)) {
                        LOG.info("Removing an append that did not finish: {}", status.getPath());
                        fs.delete(status.getPath(), true);
                        continue;
                    }
                    Path marker = new Path(status.getPath(), COMMITTED);
                    if (!status.isDirectory() || name.startsWith(".") || name.startsWith("_")) {
                        continue;
                    }
                    if (!fs.exists(marker)) {
                        LOG.warn("Ignoring index segment without {} (an append was interrupted): {}", COMMITTED, status.getPath());
                        continue;
                    }
                    Map<String, Object> m = Json.readMap(read(fs, marker));
                    committed.add(new Segment(name, ((Number) m.get("rows")).longValue(), (String) m.get("output")));
                    Object replaces = m.get("replaces");
                    if (replaces instanceof List<?> list) {
                        for (Object r : list) {
                            superseded.add(String.valueOf(r));
                        }
                    }
                }
            }
            List<Segment> live = new ArrayList<>();
            List<Segment> replaced = new ArrayList<>();
            for (Segment s : committed) {
                if (superseded.contains(s.name())) {
                    continue;
                }
                (qualifiedOutput != null && qualifiedOutput.equals(s.output()) ? replaced : live).add(s);
            }
            live.sort(java.util.Comparator.comparing(Segment::name));
            return new SignatureIndex(spark, fs, root, index, format, recorded, qualifiedOutput,
                    Collections.unmodifiableList(live), Collections.unmodifiableList(replaced));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the signature index " + index.path(), e);
        }
    }

    private static String qualify(SparkSession spark, String path) throws IOException {
        Path p = new Path(path);
        return p.getFileSystem(spark.sparkContext().hadoopConfiguration()).makeQualified(p).toString();
    }

    public String path() {
        return root.toString();
    }

    public IndexSettings settings() {
        return settings;
    }

    public boolean storesShingles() {
        return settings.shingles();
    }

    /** Segments matched against, in name (time) order. */
    public List<Segment> segments() {
        return live;
    }

    /** Segments of an earlier run into this run's output folder: not matched against, replaced on commit. */
    public List<Segment> replacedSegments() {
        return replaced;
    }

    /** Rows in the segments matched against, from their markers (no data is read). */
    public long rowCount() {
        return live.stream().mapToLong(Segment::rows).sum();
    }

    /** Every indexed row matched against, as {@link #SCHEMA}. */
    public Dataset<Row> rows() {
        if (live.isEmpty()) {
            return spark.createDataFrame(List.of(), SCHEMA);
        }
        String[] paths = live.stream().map(s -> new Path(new Path(root, SEGMENTS), s.name()).toString()).toArray(String[]::new);
        return spark.read().schema(SCHEMA).parquet(paths);
    }

    /**
     * Writes rows (as {@link #SCHEMA}) into a hidden folder of the index. Nothing counts until
     * {@link Append#commit()}; call {@link Append#abort()} if the run fails before that.
     */
    public Append stage(Dataset<Row> rows) {
        String name = "seg-" + DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC)
                .format(Instant.now()) + "-" + UUID.randomUUID().toString().substring(0, 8);
        Path staging = new Path(new Path(root, SEGMENTS), IN_PROGRESS + name);
        Append append = new Append(staging, name);
        boolean written = false;
        try {
            String[] names = SCHEMA.fieldNames();
            rows.select(names[0], java.util.Arrays.copyOfRange(names, 1, names.length)).write().parquet(staging.toString());
            append.rows = spark.read().parquet(staging.toString()).count();
            written = true;
        } finally {
            // Spark rethrows task failures as (checked) SparkException, so no catch clause would see them all.
            if (!written) {
                append.abort();
            }
        }
        return append;
    }

    /** An append written but not yet committed. */
    public final class Append {
        private final Path staging;
        private final String name;
        private long rows;

        private Append(Path staging, String name) {
            this.staging = staging;
            this.name = name;
        }

        public long rows() {
            return rows;
        }

        /** The name the segment has once committed. */
        public String segmentName() {
            return name;
        }

        /**
         * Records the index's settings if this is its first append, moves the rows into place and marks them
         * committed (the marker is the commit point), then removes the segments this run replaces.
         */
        public String commit() {
            try {
                if (!formatRecorded && !fs.exists(new Path(root, SETTINGS_FILE))) {
                    Map<String, Object> recorded = new LinkedHashMap<>(format);
                    recorded.put("created_at", Instant.now().toString());
                    writeAtomically(new Path(root, SETTINGS_FILE), Json.write(recorded));
                }
                Path target = new Path(new Path(root, SEGMENTS), name);
                if (!fs.rename(staging, target)) {
                    throw new IOException("rename " + staging + " -> " + target + " failed");
                }
                Map<String, Object> marker = new LinkedHashMap<>();
                marker.put("rows", rows);
                marker.put("output", output);
                marker.put("committed_at", Instant.now().toString());
                marker.put("replaces", replaced.stream().map(Segment::name).toList());
                try (FSDataOutputStream out = fs.create(new Path(target, COMMITTED), false)) {
                    out.write(Json.write(marker).getBytes(StandardCharsets.UTF_8));
                }
                for (Segment s : replaced) {
                    // Already superseded by the marker above; removing it only frees space.
                    fs.delete(new Path(new Path(root, SEGMENTS), s.name()), true);
                }
                return name;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot commit the append to the signature index " + root, e);
            }
        }

        /** Removes the uncommitted rows; the index is as before. */
        public void abort() {
            try {
                fs.delete(staging, true);
            } catch (IOException e) {
                LOG.warn("Could not remove the uncommitted append {}: {}", staging, e.toString());
            }
        }
    }

    private void writeAtomically(Path path, String content) throws IOException {
        Path tmp = new Path(path.getParent(), "." + path.getName() + IN_PROGRESS + UUID.randomUUID());
        try (FSDataOutputStream out = fs.create(tmp, false)) {
            out.write(content.getBytes(StandardCharsets.UTF_8));
        }
        if (!fs.rename(tmp, path)) {
            fs.delete(tmp, false);
            throw new IOException("rename " + tmp + " -> " + path + " failed");
        }
    }

    private static String read(FileSystem fs, Path path) throws IOException {
        try (InputStream in = fs.open(path)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
