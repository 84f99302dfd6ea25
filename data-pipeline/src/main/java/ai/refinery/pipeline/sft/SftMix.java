package ai.refinery.pipeline.sft;

import ai.refinery.core.config.ConfigError;
import ai.refinery.core.config.Section;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigUtil;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Mixing several instruction inputs by weight, with a cap per input (section {@code sft.mix}). Plain Java: given the
 * rows each input has, {@link #plan} says how many rows each contributes; the Spark layer keeps that many of each,
 * the ones with the smallest seeded hash of their id, so the choice is the same for a seed whatever the
 * partitioning.
 *
 * <p>The plan is the largest mix whose shares are the weights (normalised) in which no input gives more rows than
 * it has or than its cap, and no row repeats (subsampling only, as TRL and axolotl mix): with limit
 * {@code l = min(rows, cap)} and share {@code p = weight / sum of weights} per input, the mix has
 * {@code N = min(l / p)} rows over all inputs (at most {@code sft.mix.total} when that is above 0), and each input
 * gives {@code p x N} rows rounded by largest remainder. Every realised share is within one row of its weight's.
 *
 * @param sources weight and cap per input name; empty: no mixing, every valid row is kept
 * @param total   upper bound on the rows of the mix, 0 for none
 * @param seed    seed of the hash that picks the rows
 */
public record SftMix(Map<String, Source> sources, long total, long seed) implements Serializable {
    public static final String SECTION = "sft.mix";
    /** The stage column of rows the mix leaves out. */
    public static final String STAGE = "sft_mix";
    /** Rows past an input's cap. */
    public static final String OVER_CAP = "over_cap";
    /** Rows within the cap but beyond what the input's weight allows next to the others. */
    public static final String OVER_WEIGHT = "over_weight";

    /**
     * @param weight relative weight, above 0
     * @param cap    most rows the input may give, {@link Long#MAX_VALUE} for none
     */
    public record Source(double weight, long cap) implements Serializable {
    }

    /** What one input gives: rows it had, its limit (rows or cap), rows taken, and its target and realised share. */
    public record Quota(String name, long available, double weight, long cap, long limit, long rows, double targetShare)
            implements Serializable {
    }

    public SftMix {
        sources = java.util.Collections.unmodifiableMap(new TreeMap<>(sources));
    }

    public boolean enabled() {
        return !sources.isEmpty();
    }

    public static SftMix from(Config config) {
        Section s = new Section(config, SECTION);
        long total = s.longAtLeast("total", 0);
        long seed = s.longAtLeast("seed", Long.MIN_VALUE);
        Map<String, Source> sources = new TreeMap<>();
        String key = s.key("sources");
        ConfigObject object;
        try {
            object = config.getObject(key);
        } catch (ConfigException e) {
            throw ConfigError.forKey(key, "must be a section of inputs, each { weight = W, cap = N }: " + e.getMessage());
        }
        for (String name : object.keySet()) {
            // messages name the key as users type it; reads quote the name (it may hold dots)
            String sourceKey = key + "." + name;
            String path = key + "." + ConfigUtil.quoteString(name);
            Config one;
            try {
                one = config.getConfig(path);
            } catch (ConfigException e) {
                throw ConfigError.forKey(sourceKey, "must be a section { weight = W, cap = N }");
            }
            for (String k : one.root().keySet()) {
                if (!Set.of("weight", "cap").contains(k)) {
                    throw ConfigError.forKey(sourceKey + "." + k, "unknown; an input of the mix has weight and cap");
                }
            }
            if (!one.hasPath("weight")) {
                throw ConfigError.forKey(sourceKey + ".weight", "missing: every input of the mix needs a weight");
            }
            double weight;
            long cap = Long.MAX_VALUE;
            try {
                weight = one.getDouble("weight");
                if (one.hasPath("cap")) {
                    cap = one.getLong("cap");
                }
            } catch (ConfigException e) {
                throw ConfigError.forKey(sourceKey, "weight and cap must be numbers: " + e.getMessage());
            }
            if (!(weight > 0) || Double.isInfinite(weight)) {
                throw ConfigError.forKey(sourceKey + ".weight", "must be above 0 (leave the input out to drop it), got "
                        + weight);
            }
            if (cap < 1) {
                throw ConfigError.forKey(sourceKey + ".cap", "must be at least 1 (leave it out for no cap), got " + cap);
            }
            sources.put(name, new Source(weight, cap));
        }
        return new SftMix(sources, total, seed);
    }

    /**
     * Checks that the mix names exactly the inputs given (a weight per input, no weight for an input that is not
     * there).
     *
     * @throws ConfigError naming the key
     */
    public void checkInputs(Collection<String> inputNames) {
        if (!enabled()) {
            return;
        }
        for (String name : sources.keySet()) {
            if (!inputNames.contains(name)) {
                throw ConfigError.forKey(SECTION + ".sources." + name, "names no --input (inputs: "
                        + String.join(", ", inputNames) + "; name one with --input NAME=PATH)");
            }
        }
        for (String name : inputNames) {
            if (!sources.containsKey(name)) {
                throw ConfigError.forKey(SECTION + ".sources", "has no weight for --input " + name
                        + " (every input of a mix needs one: --set " + SECTION + ".sources." + name + ".weight=W)");
            }
        }
    }

    /**
     * The rows each input gives.
     *
     * @param available valid rows per input name (every name of {@link #sources})
     */
    public List<Quota> plan(Map<String, Long> available) {
        double weights = sources.values().stream().mapToDouble(Source::weight).sum();
        double n = total > 0 ? total : Double.POSITIVE_INFINITY;
        Map<String, Long> limits = new TreeMap<>();
        for (var e : sources.entrySet()) {
            long limit = Math.min(available.getOrDefault(e.getKey(), 0L), e.getValue().cap());
            limits.put(e.getKey(), limit);
            n = Math.min(n, limit / (e.getValue().weight() / weights));
        }
        final double size = n;
        long rows = (long) Math.floor(size + 1e-9);
        Map<String, Long> taken = new TreeMap<>();
        List<String> byRemainder = new ArrayList<>();
        long sum = 0;
        for (var e : sources.entrySet()) {
            double exact = size * e.getValue().weight() / weights;
            long k = Math.min(limits.get(e.getKey()), (long) Math.floor(exact + 1e-9));
            taken.put(e.getKey(), k);
            sum += k;
            byRemainder.add(e.getKey());
        }
        byRemainder.sort(Comparator.comparingDouble((String name) -> -(size * sources.get(name).weight() / weights
                - taken.get(name))).thenComparing(Comparator.naturalOrder()));
        for (int i = 0; sum < rows && i < byRemainder.size(); i++) {
            String name = byRemainder.get(i);
            if (taken.get(name) < limits.get(name)) {
                taken.merge(name, 1L, Long::sum);
                sum++;
            }
        }
        List<Quota> out = new ArrayList<>();
        for (var e : sources.entrySet()) {
            String name = e.getKey();
            out.add(new Quota(name, available.getOrDefault(name, 0L), e.getValue().weight(), e.getValue().cap(),
                    limits.get(name), taken.get(name), e.getValue().weight() / weights));
        }
        return out;
    }

    /** stats.json's {@code mix}: the settings and, per input, rows available, cap, rows taken, target and share. */
    public Map<String, Object> describe(List<Quota> plan) {
        long rows = plan.stream().mapToLong(Quota::rows).sum();
        Map<String, Object> bySource = new LinkedHashMap<>();
        for (Quota q : plan) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("available", q.available());
            m.put("weight", q.weight());
            m.put("cap", q.cap() == Long.MAX_VALUE ? null : q.cap());
            m.put("rows", q.rows());
            m.put("target_share", q.targetShare());
            m.put("share", rows == 0 ? 0.0 : (double) q.rows() / rows);
            bySource.put(q.name(), m);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("seed", seed);
        out.put("total", total);
        out.put("rows", rows);
        out.put("sources", bySource);
        return out;
    }
}
