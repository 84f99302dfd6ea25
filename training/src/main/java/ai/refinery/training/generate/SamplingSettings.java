package ai.refinery.training.generate;

import ai.refinery.core.config.ConfigError;
import ai.refinery.core.config.Section;
import com.typesafe.config.Config;

import java.io.Serializable;
import java.util.List;

/**
 * How to pick each next token (section "generate" of refinery.conf).
 *
 * @param maxTokens   tokens to generate at most (the end-of-text token is not counted)
 * @param temperature 0 is greedy (argmax); above 0 divides the log-probabilities before sampling
 * @param topK        sample among the k most probable tokens only; 0 is off
 * @param topP        nucleus sampling: the smallest set of most probable tokens whose mass reaches topP; 1 is off
 * @param seed        seed of the sampling draws: the same prompt, settings and seed give the same completion
 * @param stop        strings that end the completion where they first appear (they are not part of it)
 */
public record SamplingSettings(int maxTokens, double temperature, int topK, double topP, long seed,
                               List<String> stop) implements Serializable {
    public static final String SECTION = "generate";
    public static final double MAX_TEMPERATURE = 2.0;

    public SamplingSettings {
        if (maxTokens < 0) {
            throw ConfigError.forKey(SECTION + ".max_tokens", "must be at least 0, got " + maxTokens);
        }
        if (!(temperature >= 0 && temperature <= MAX_TEMPERATURE)) {
            throw ConfigError.forKey(SECTION + ".temperature", "must be in [0, " + MAX_TEMPERATURE + "], got " + temperature);
        }
        if (topK < 0) {
            throw ConfigError.forKey(SECTION + ".top_k", "must be at least 0, got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw ConfigError.forKey(SECTION + ".top_p", "must be in (0, 1], got " + topP);
        }
        stop = stop == null ? List.of() : List.copyOf(stop);
        for (String s : stop) {
            if (s.isEmpty()) {
                throw ConfigError.forKey(SECTION + ".stop", "stop strings must not be empty");
            }
        }
    }

    public static SamplingSettings greedy(int maxTokens) {
        return new SamplingSettings(maxTokens, 0, 0, 1, 0, List.of());
    }

    public static SamplingSettings from(Config config) {
        Section s = new Section(config, SECTION);
        return new SamplingSettings(s.intAtLeast("max_tokens", 0), s.doubleIn("temperature", 0, MAX_TEMPERATURE),
                s.intAtLeast("top_k", 0), s.doubleIn("top_p", Double.MIN_VALUE, 1), s.longAtLeast("seed", Long.MIN_VALUE),
                s.strings("stop"));
    }

    /** Greedy decoding: no randomness is drawn. */
    public boolean isGreedy() {
        return temperature == 0 || topK == 1;
    }

    public SamplingSettings withMaxTokens(int n) {
        return new SamplingSettings(n, temperature, topK, topP, seed, stop);
    }

    public SamplingSettings withSeed(long s) {
        return new SamplingSettings(maxTokens, temperature, topK, topP, s, stop);
    }

    public SamplingSettings withTemperature(double t) {
        return new SamplingSettings(maxTokens, t, topK, topP, seed, stop);
    }

    public SamplingSettings withTopK(int k) {
        return new SamplingSettings(maxTokens, temperature, k, topP, seed, stop);
    }

    public SamplingSettings withTopP(double p) {
        return new SamplingSettings(maxTokens, temperature, topK, p, seed, stop);
    }

    public SamplingSettings withStop(List<String> s) {
        return new SamplingSettings(maxTokens, temperature, topK, topP, seed, s);
    }

    /** The settings as a compact JSON object, recorded on every generated row. */
    public String toJson() {
        StringBuilder sb = new StringBuilder("{\"max_tokens\":").append(maxTokens)
                .append(",\"temperature\":").append(temperature)
                .append(",\"top_k\":").append(topK)
                .append(",\"top_p\":").append(topP)
                .append(",\"seed\":").append(seed)
                .append(",\"stop\":[");
        for (int i = 0; i < stop.size(); i++) {
            sb.append(i == 0 ? "" : ",").append(jsonString(stop.get(i)));
        }
        return sb.append("]}").toString();
    }

    private static String jsonString(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
