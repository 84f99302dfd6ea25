package ai.refinery.rephrasing;

import ai.refinery.core.config.ConfigError;
import ai.refinery.core.config.Section;
import com.typesafe.config.Config;

/**
 * Settings of the synthetic knowledge source (section "bios" of refinery.conf).
 *
 * @param people     how many people to generate, 1 .. 160,000,000 (the number of distinct full names)
 * @param seed       seed of every draw (names, attributes, templates of the base biographies)
 * @param partitions Spark partitions for generation; 0 means the context's default parallelism
 */
public record BiosSettings(long people, long seed, int partitions) implements java.io.Serializable {
    public static final String SECTION = "bios";

    public BiosSettings {
        if (people < 1) {
            throw ConfigError.forKey(SECTION + ".people", "must be at least 1, got " + people);
        }
        long capacity = Pools.standard().nameSpace();
        if (people > capacity) {
            throw ConfigError.forKey(SECTION + ".people", "must be at most " + capacity
                    + " (first x middle x last names, each person gets a distinct full name), got " + people);
        }
        if (partitions < 0) {
            throw ConfigError.forKey(SECTION + ".partitions", "must be at least 0, got " + partitions);
        }
    }

    public static BiosSettings from(Config config) {
        Section s = new Section(config, SECTION);
        return new BiosSettings(s.longAtLeast("people", 1), s.longAtLeast("seed", Long.MIN_VALUE),
                s.intAtLeast("partitions", 0));
    }
}
