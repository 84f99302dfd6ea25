package ai.refinery.training.decode;

import ai.refinery.core.config.ConfigError;
import ai.refinery.training.tokenizer.BpeTokenizer;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The rule-based decoding adapter of Hewitt et al. (2024), applied as p ~ p_base x softmax(rule scores), i.e.
 * rule scores added to the logits:
 * <ul>
 *   <li>end of text: + {@code eosScore} x min(response length, {@code eosLength}) / {@code eosLength};</li>
 *   <li>fixed scores on listed tokens ({@code tokenScores}: a text matches every vocabulary token that decodes to
 *       it, with or without leading spaces);</li>
 *   <li>- {@code repeatPenalty} on every token already used in the response.</li>
 * </ul>
 * Read from a HOCON rules file ({@code generate.rules_file}, default conf/decoding-rules.conf).
 */
public record RuleSet(double eosScore, int eosLength, Map<String, Double> tokenScores, double repeatPenalty,
                      String origin) implements Serializable {
    public static final String CLASSPATH = "classpath:";

    public RuleSet {
        if (eosLength < 1) {
            throw ConfigError.forKey(origin + ": eos_length", "must be at least 1, got " + eosLength);
        }
        tokenScores = Collections.unmodifiableMap(new LinkedHashMap<>(tokenScores));
    }

    /** The rules file named by generate.rules_file. */
    public static RuleSet from(Config config) {
        String key = SamplingSettings.SECTION + ".rules_file";
        String location;
        try {
            location = config.getString(key);
        } catch (ConfigException e) {
            throw ConfigError.forKey(key, e.getMessage());
        }
        return load(location, key);
    }

    /** Reads a rules file ("classpath:...", a local path or a Hadoop FS path); errors name {@code key}. */
    public static RuleSet load(String location, String key) {
        String text;
        try (InputStream in = open(location, key)) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw ConfigError.forKey(key, "cannot read '" + location + "': " + e.getMessage());
        }
        return parse(text, location);
    }

    /** Parses the HOCON text of a rules file (eos_score, eos_length, repeat_penalty, token_scores). */
    public static RuleSet parse(String hocon, String origin) {
        try {
            Config c = ConfigFactory.parseString(hocon);
            Map<String, Double> scores = new LinkedHashMap<>();
            for (Config entry : c.getConfigList("token_scores")) {
                String token = entry.getString("token");
                if (token.isEmpty()) {
                    throw ConfigError.forKey(origin + ": token_scores", "a token must not be empty");
                }
                scores.merge(token, entry.getDouble("score"), Double::sum);
            }
            return new RuleSet(c.getDouble("eos_score"), c.getInt("eos_length"), scores, c.getDouble("repeat_penalty"),
                    origin);
        } catch (ConfigException e) {
            throw new ConfigError(origin + ": " + e.getMessage(), e);
        }
    }

    private static InputStream open(String location, String key) throws IOException {
        if (location.startsWith(CLASSPATH)) {
            String resource = location.substring(CLASSPATH.length()).replaceFirst("^/+", "");
            InputStream in = RuleSet.class.getClassLoader().getResourceAsStream(resource);
            if (in == null) {
                throw ConfigError.forKey(key, "no such classpath resource: '" + resource + "'");
            }
            return in;
        }
        if (!location.contains(":") && Files.isRegularFile(java.nio.file.Path.of(location))) {
            return Files.newInputStream(java.nio.file.Path.of(location));
        }
        Path path = new Path(location);
        FileSystem fs = path.getFileSystem(new Configuration());
        if (!fs.exists(path)) {
            throw ConfigError.forKey(key, "no such file: '" + location + "'");
        }
        return fs.open(path);
    }

    /** The token ids each listed text matches in this vocabulary, with their summed scores. */
    public Map<Integer, Float> tokenBias(BpeTokenizer tokenizer) {
        Map<Integer, Float> bias = new LinkedHashMap<>();
        if (tokenScores.isEmpty()) {
            return bias;
        }
        for (int id = 0; id < tokenizer.vocabSize(); id++) {
            String text = new String(tokenizer.tokenBytes(id), StandardCharsets.UTF_8);
            String stripped = text.replaceFirst("^ +", "");
            Double score = tokenScores.get(text);
            if (score == null && !stripped.equals(text)) {
                score = tokenScores.get(stripped);
            }
            if (score != null) {
                bias.put(id, score.floatValue());
            }
        }
        return bias;
    }

    /** The adapter as processors, in order: end-of-text ramp, token scores, response repetition penalty. */
    public List<LogitsProcessor> processors(BpeTokenizer tokenizer) {
        return processors(tokenizer, new int[] {tokenizer.endOfTextId()});
    }

    /** The processors with the end-of-text ramp on every id that ends a response (a chat's {@code <|end|>} too). */
    public List<LogitsProcessor> processors(BpeTokenizer tokenizer, int[] endIds) {
        List<LogitsProcessor> p = new ArrayList<>();
        if (eosScore != 0) {
            p.add(LogitsProcessors.endOfTextRamp(endIds, (float) eosScore, eosLength));
        }
        Map<Integer, Float> bias = tokenBias(tokenizer);
        if (!bias.isEmpty()) {
            p.add(LogitsProcessors.bias(bias));
        }
        if (repeatPenalty != 0) {
            p.add(LogitsProcessors.frequencyPresence(0, (float) repeatPenalty));
        }
        return p;
    }
}
