package ai.refinery.training.analysis;

import ai.refinery.core.config.ConfigError;
import ai.refinery.core.config.Section;
import com.typesafe.config.Config;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Settings of token-shift (section "token_shift").
 *
 * @param maxTokens       tokens the aligned model generates at most per prompt
 * @param batchSize       prompts decoded together in a partition (the rows do not depend on it)
 * @param marginalMaxRank base ranks 2..this are marginal, above it shifted (rank 1 is unshifted)
 * @param positionBuckets ascending first positions of the summary's position buckets, starting at 0
 * @param topTokens       most often shifted tokens listed in stats.json
 * @param chat            prompts are user messages put through the aligned model's chat template
 */
public record TokenShiftSettings(int maxTokens, int batchSize, int marginalMaxRank, List<Integer> positionBuckets,
                                 int topTokens, boolean chat) implements Serializable {
    public static final String SECTION = "token_shift";

    public TokenShiftSettings {
        positionBuckets = List.copyOf(positionBuckets);
        if (positionBuckets.isEmpty() || positionBuckets.get(0) != 0) {
            throw ConfigError.forKey(SECTION + ".position_buckets", "must start at 0, got " + positionBuckets);
        }
        for (int i = 1; i < positionBuckets.size(); i++) {
            if (positionBuckets.get(i) <= positionBuckets.get(i - 1)) {
                throw ConfigError.forKey(SECTION + ".position_buckets", "must be strictly ascending, got " + positionBuckets);
            }
        }
    }

    public static TokenShiftSettings from(Config config) {
        Section s = new Section(config, SECTION);
        List<Integer> buckets = new ArrayList<>();
        for (double d : s.doubles("position_buckets")) {
            if (d != Math.rint(d) || d < 0) {
                throw ConfigError.forKey(s.key("position_buckets"), "must be whole positions >= 0, got " + d);
            }
            buckets.add((int) d);
        }
        return new TokenShiftSettings(s.intAtLeast("max_tokens", 1), s.intAtLeast("batch_size", 1),
                s.intAtLeast("marginal_max_rank", 2), buckets, s.intAtLeast("top_tokens", 0), s.bool("chat"));
    }
}
