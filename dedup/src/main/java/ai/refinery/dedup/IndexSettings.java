package ai.refinery.dedup;

import ai.refinery.core.config.Section;
import com.typesafe.config.Config;

import java.io.Serializable;

/**
 * Settings of the signature index (the {@code dedup.index} section): where the signatures of earlier runs'
 * survivors live, whether this run appends its own, and whether the index keeps shingle sets.
 *
 * @param path     Hadoop FS folder of the index; empty: no index (a plain, self-contained run)
 * @param append   append this run's survivors when it finishes (false: only check against the index)
 * @param shingles store each survivor's shingle set, so pairs with indexed documents are verified by exact
 *                 Jaccard like pairs within the run; without them such pairs are verified on the stored
 *                 MinHash signatures (estimated), and the index is about one kilobyte per document
 */
public record IndexSettings(String path, boolean append, boolean shingles) implements Serializable {
    public static final String KEY_PATH = "dedup.index.path";
    public static final String KEY_SHINGLES = "dedup.index.shingles";

    public IndexSettings {
        path = path == null ? "" : path.trim();
    }

    public static IndexSettings none() {
        return new IndexSettings("", true, true);
    }

    public static IndexSettings at(String path) {
        return new IndexSettings(path, true, true);
    }

    public static IndexSettings fromConfig(Config config) {
        Section s = new Section(config, "dedup.index");
        return new IndexSettings(s.string("path"), s.bool("append"), s.bool("shingles"));
    }

    public boolean enabled() {
        return !path.isEmpty();
    }

    public IndexSettings withAppend(boolean value) {
        return new IndexSettings(path, value, shingles);
    }

    public IndexSettings withShingles(boolean value) {
        return new IndexSettings(path, append, value);
    }
}
