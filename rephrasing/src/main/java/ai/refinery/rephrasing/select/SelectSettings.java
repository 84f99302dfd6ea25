package ai.refinery.rephrasing.select;

import ai.refinery.core.config.ConfigError;
import ai.refinery.core.config.Section;
import ai.refinery.rephrasing.model.Guards;
import ai.refinery.rephrasing.model.ModelRephraseSettings;
import ai.refinery.rephrasing.model.PromptTemplates;
import com.typesafe.config.Config;

import java.io.Serializable;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Settings of select (section "select").
 *
 * @param rule      the selection rule
 * @param n         rows to keep (longest, random); for the filters 0 = every row that passes, else at most n
 * @param seed      seed of the random rule and of the draws that cap the filters at n
 * @param judge     the judge rule's settings
 * @param knowledge output of refinery knowledge (knowledge rule)
 * @param drop      SliCK categories the knowledge rule drops
 */
public record SelectSettings(Rule rule, int n, long seed, Judge judge, String knowledge, List<String> drop)
        implements Serializable {
    public static final String SECTION = "select";
    public static final List<String> CATEGORIES = List.of("HighlyKnown", "MaybeKnown", "WeaklyKnown", "Unknown");

    /** The selection rules of the lecture. */
    public enum Rule {
        /** The n rows with the longest responses (Long Is More). */
        LONGEST,
        /** n rows drawn with the seed (the control). */
        RANDOM,
        /** A judge's 0-5 score at or above the threshold (AlpaGasus). */
        JUDGE,
        /** Drop rows of the listed SliCK categories. */
        KNOWLEDGE,
        /** Remove near-duplicate instructions. */
        DEDUP;

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * @param threshold  keep rows scored at or above this
     * @param template   the judge prompt with {instruction} and {response}
     * @param localModel one of our model folders, or empty for the endpoint
     * @param maxChars   instruction and response characters put into a prompt at most (each)
     * @param client     endpoint, model and sampling of the requests (the generator interface's settings)
     */
    public record Judge(double threshold, String template, String localModel, int maxChars,
                        ModelRephraseSettings client) implements Serializable {
    }

    public static SelectSettings from(Config config) {
        Section s = new Section(config, SECTION);
        Rule rule = Rule.valueOf(s.oneOf("rule", Set.of("longest", "random", "judge", "knowledge", "dedup"))
                .toUpperCase(Locale.ROOT));
        int n = s.intAtLeast("n", 0);
        if (n == 0 && (rule == Rule.LONGEST || rule == Rule.RANDOM)) {
            throw ConfigError.forKey(s.key("n"), "must be at least 1 with rule = " + rule.wire());
        }
        Judge judge = null;
        if (rule == Rule.JUDGE) {
            Section j = s.child("judge");
            String template = PromptTemplates.read(j.string("prompt"), j.key("prompt")).strip();
            for (String p : List.of(SelectRules.INSTRUCTION, SelectRules.RESPONSE)) {
                if (!template.contains(p)) {
                    throw ConfigError.forKey(j.key("prompt"), j.string("prompt") + " must hold the placeholder " + p);
                }
            }
            ModelRephraseSettings client = new ModelRephraseSettings(j.string("endpoint"), j.string("model"),
                    j.string("api_key_env"), Map.of("judge", template), Integer.MAX_VALUE, j.intAtLeast("max_tokens", 1),
                    j.doubleIn("temperature", 0, 2), 1.0, s.longAtLeast("seed", Long.MIN_VALUE), j.intAtLeast("timeout_s", 1),
                    j.intAtLeast("retries", 0), 500, 30000, j.intAtLeast("concurrency", 1), j.intAtLeast("batch_size", 1),
                    Guards.basic(0, Integer.MAX_VALUE, 5, 2.0));
            judge = new Judge(j.doubleIn("threshold", 0, 5), template, j.string("local_model"),
                    j.intAtLeast("max_chars", 1), client);
        }
        Section k = s.child("knowledge");
        List<String> drop = k.strings("drop");
        for (String c : drop) {
            if (!CATEGORIES.contains(c)) {
                throw ConfigError.forKey(k.key("drop"), "'" + c + "' is not a category; categories: " + CATEGORIES);
            }
        }
        if (rule == Rule.KNOWLEDGE && k.string("input").isEmpty()) {
            throw ConfigError.forKey(k.key("input"), "must name the output of refinery knowledge with rule = knowledge");
        }
        return new SelectSettings(rule, n, s.longAtLeast("seed", Long.MIN_VALUE), judge, k.string("input"), drop);
    }
}
