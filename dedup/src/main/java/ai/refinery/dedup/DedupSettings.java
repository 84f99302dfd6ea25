package ai.refinery.dedup;

import ai.refinery.core.config.ConfigError;
import ai.refinery.core.config.Section;
import com.typesafe.config.Config;

import java.io.Serializable;
import java.util.Set;

/**
 * Settings of the dedup stage, read from the {@code dedup} section of the configuration (every key is
 * documented with its default in conf/refinery.conf).
 *
 * @param scopeColumn     column whose value names the dump (or any partition) to deduplicate within; empty
 *                        for one global scope over the whole input
 * @param survivor        which document of a cluster is kept
 * @param exactEnabled    remove documents whose normalised text is identical before the near-duplicate pass
 * @param nearEnabled     run MinHash LSH near-duplicate detection
 * @param shingleType     word or character shingles
 * @param shingleSize     words (or characters) per shingle
 * @param bands           LSH bands
 * @param rows            MinHash values per band
 * @param seed            seed of the MinHash permutations
 * @param verification    how candidate pairs are checked
 * @param threshold       similarity a verified pair must reach
 * @param maxIterations   limit on connected-components rounds
 * @param checkpoint      how each connected-components round truncates lineage
 * @param driverMaxCharacters inputs whose texts total at most this many characters are deduplicated on the driver
 *                        after the features pass ({@link DriverDedup}: the same decisions without the Spark plan's
 *                        fixed cost); 0: always as Spark jobs
 */
public record DedupSettings(
        String scopeColumn,
        SurvivorRule survivor,
        boolean exactEnabled,
        boolean nearEnabled,
        ShingleType shingleType,
        int shingleSize,
        int bands,
        int rows,
        long seed,
        Verification verification,
        double threshold,
        int maxIterations,
        CheckpointMode checkpoint,
        long driverMaxCharacters) implements Serializable {

    /** Lineage truncation for the iterative connected-components step. */
    public enum CheckpointMode {
        /** Dataset.localCheckpoint: executor storage (memory and disk), no checkpoint directory needed. */
        LOCAL,
        /** Dataset.checkpoint: written to the SparkContext checkpoint directory (must be set), survives executor loss. */
        RELIABLE
    }

    public DedupSettings {
        if (shingleSize < 1 || bands < 1 || rows < 1 || maxIterations < 1) {
            throw new IllegalArgumentException("shingle size, bands, rows and max iterations must be at least 1");
        }
        if (!(threshold >= 0.0 && threshold <= 1.0)) {
            throw new IllegalArgumentException("threshold must be in [0, 1], got " + threshold);
        }
        scopeColumn = scopeColumn == null ? "" : scopeColumn.trim();
    }

    /**
     * 100 M characters: about 150 MB of shingle sets on the driver; beyond it the Spark plan's fixed cost is a small
     * share of a run (BENCHMARKS.md, dedup against MLlib with default settings).
     */
    public static final long DEFAULT_DRIVER_MAX_CHARACTERS = 100_000_000L;

    /** The defaults of conf/refinery.conf (FineWeb MinHash parameters). */
    public static DedupSettings defaults() {
        return new DedupSettings("", SurvivorRule.SMALLEST_ID, true, true, ShingleType.WORD, 5, 14, 8, 1L,
                Verification.EXACT, 0.8, 100, CheckpointMode.LOCAL, DEFAULT_DRIVER_MAX_CHARACTERS);
    }

    public static DedupSettings fromConfig(Config config) {
        Section s = new Section(config, "dedup");
        Section near = s.child("near");
        Section cc = s.child("components");
        return new DedupSettings(
                s.string("scope_column"),
                SurvivorRule.parse(s.oneOf("survivor", Set.of("smallest_id", "longest_text"))),
                s.child("exact").bool("enabled"),
                near.bool("enabled"),
                ShingleType.parse(near.oneOf("shingle_type", Set.of("word", "char"))),
                near.intAtLeast("shingle_size", 1),
                near.intAtLeast("bands", 1),
                near.intAtLeast("rows", 1),
                readLong(near, "seed"),
                Verification.parse(near.oneOf("verify", Set.of("off", "estimated", "exact"))),
                near.fraction("threshold"),
                cc.intAtLeast("max_iterations", 1),
                CheckpointMode.valueOf(cc.oneOf("checkpoint", Set.of("local", "reliable")).toUpperCase(java.util.Locale.ROOT)),
                s.child("driver").longAtLeast("max_characters", 0));
    }

    private static long readLong(Section section, String name) {
        return section.longAtLeast(name, Long.MIN_VALUE);
    }

    public DedupSettings withScopeColumn(String column) {
        return new DedupSettings(column, survivor, exactEnabled, nearEnabled, shingleType, shingleSize, bands, rows,
                seed, verification, threshold, maxIterations, checkpoint, driverMaxCharacters);
    }

    public DedupSettings withSurvivor(SurvivorRule rule) {
        return new DedupSettings(scopeColumn, rule, exactEnabled, nearEnabled, shingleType, shingleSize, bands, rows,
                seed, verification, threshold, maxIterations, checkpoint, driverMaxCharacters);
    }

    public DedupSettings withVerification(Verification mode, double newThreshold) {
        return new DedupSettings(scopeColumn, survivor, exactEnabled, nearEnabled, shingleType, shingleSize, bands,
                rows, seed, mode, newThreshold, maxIterations, checkpoint, driverMaxCharacters);
    }

    public DedupSettings withShingles(ShingleType type, int size) {
        return new DedupSettings(scopeColumn, survivor, exactEnabled, nearEnabled, type, size, bands, rows, seed,
                verification, threshold, maxIterations, checkpoint, driverMaxCharacters);
    }

    public DedupSettings withBanding(int newBands, int newRows, long newSeed) {
        return new DedupSettings(scopeColumn, survivor, exactEnabled, nearEnabled, shingleType, shingleSize, newBands,
                newRows, newSeed, verification, threshold, maxIterations, checkpoint, driverMaxCharacters);
    }

    public DedupSettings withStages(boolean exact, boolean near) {
        return new DedupSettings(scopeColumn, survivor, exact, near, shingleType, shingleSize, bands, rows, seed,
                verification, threshold, maxIterations, checkpoint, driverMaxCharacters);
    }

    /** The same settings with another driver limit (0: always as Spark jobs). */
    public DedupSettings withDriverMaxCharacters(long characters) {
        return new DedupSettings(scopeColumn, survivor, exactEnabled, nearEnabled, shingleType, shingleSize, bands, rows,
                seed, verification, threshold, maxIterations, checkpoint, characters);
    }

    public Shingler shingler() {
        return new Shingler(shingleType, shingleSize);
    }

    public MinHasher minHasher() {
        return new MinHasher(bands, rows, seed);
    }

    /** Error for a scope column the input does not have; names the key so the command exits with status 2. */
    ConfigError missingScopeColumn() {
        return ConfigError.forKey("dedup.scope_column", "the input has no column '" + scopeColumn + "'");
    }
}
