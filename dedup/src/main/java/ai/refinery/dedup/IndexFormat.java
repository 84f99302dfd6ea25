package ai.refinery.dedup;

import ai.refinery.core.config.ConfigError;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What makes the signatures of two runs comparable, as recorded in an index's {@code index.json} by the run
 * that created it. A later run whose values differ would produce band keys that never meet the stored ones
 * (or shingle sets of another kind), so it is refused rather than silently finding nothing.
 */
final class IndexFormat {
    /** Layout of index.json, the segments and their rows. */
    static final int FORMAT = 1;
    /**
     * Version of everything that turns a text into hashes without a setting of its own: TextNormalizer, the
     * shingle and exact-key hashes, the MinHash permutation stream and the band-key hash. Change it whenever
     * any of them changes output.
     */
    static final String NORMALISATION = "fineweb-nfd-v1";

    static final String KEY_FORMAT = "format";
    static final String KEY_NORMALISATION = "normalisation";

    private IndexFormat() {
    }

    /** The comparable settings of a run, keyed by their configuration names. */
    static Map<String, Object> of(DedupSettings settings, IndexSettings index) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(KEY_FORMAT, FORMAT);
        m.put(KEY_NORMALISATION, NORMALISATION);
        m.put("dedup.scope_column", settings.scopeColumn());
        m.put("dedup.near.shingle_type", settings.shingleType().name().toLowerCase(Locale.ROOT));
        m.put("dedup.near.shingle_size", settings.shingleSize());
        m.put("dedup.near.bands", settings.bands());
        m.put("dedup.near.rows", settings.rows());
        m.put("dedup.near.seed", settings.seed());
        m.put(IndexSettings.KEY_SHINGLES, index.shingles());
        return m;
    }

    /**
     * @param recorded the map read back from index.json
     * @return an error naming the first setting whose value differs, or null when the run may use the index
     */
    static ConfigError mismatch(Map<String, Object> recorded, Map<String, Object> current, String indexPath) {
        for (Map.Entry<String, Object> e : current.entrySet()) {
            String key = e.getKey();
            String was = String.valueOf(recorded.get(key));
            String now = String.valueOf(e.getValue());
            if (was.equals(now)) {
                continue;
            }
            if (key.equals(KEY_FORMAT) || key.equals(KEY_NORMALISATION)) {
                return ConfigError.forKey(IndexSettings.KEY_PATH, "the index at " + indexPath + " has " + key + " '"
                        + was + "', this version of Refinery writes '" + now + "'; start a new index");
            }
            return ConfigError.forKey(key, "the index at " + indexPath + " was built with " + key + " = " + was
                    + ", this run has " + now + "; signatures made with different settings cannot be compared "
                    + "(run with the index's value, or start a new index at another " + IndexSettings.KEY_PATH + ")");
        }
        return null;
    }
}
