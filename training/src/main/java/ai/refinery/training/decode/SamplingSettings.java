package ai.refinery.training.decode;

import ai.refinery.core.config.ConfigError;
import ai.refinery.core.config.Section;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValue;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How to pick each next token (section "generate" of refinery.conf): the settings of the sampling chain
 * ({@link SamplingChain}) and of when a completion ends.
 *
 * @param maxTokens         tokens to generate at most (the end-of-text token is not counted)
 * @param minTokens         no end of text before this many tokens (stop strings still end a completion)
 * @param temperature       0 is greedy (argmax); above 0 divides the logits before sampling
 * @param topK              sample among the k most probable tokens only; 0 is off
 * @param topP              nucleus sampling: the smallest set of most probable tokens whose mass reaches topP; 1 is off
 * @param minP              keep only tokens at least minP times as probable as the most probable one; 0 is off
 * @param repetitionPenalty divide positive logits (multiply negative ones) of tokens of the prompt or the response
 *                          by this; 1 is off
 * @param frequencyPenalty  subtract this times its count from the logit of every token of the response; 0 is off
 * @param presencePenalty   subtract this from the logit of every token of the response; 0 is off
 * @param logitBias         token id to a score added to its logit (OpenAI's logit_bias, in [-100, 100])
 * @param stop              strings that end the completion where they first appear (they are not part of it)
 * @param seed              seed of the sampling draws: the same prompt, settings and seed give the same completion,
 *                          whatever the other prompts decoded with it
 * @param logprobs          report each generated token's log-probability with the N most probable alternatives
 *                          (0: the token's only); -1 reports none (the API's logprobs field; generate.logprobs for
 *                          the generate job)
 * @param rules             the rule-based adapter, null when off
 * @param stopTokenIds      token ids that end a completion besides end of text (chat: {@code <|end|>}); like end of
 *                          text they are not part of it, min_tokens holds them back and the rules' end-of-text
 *                          ramp raises them (not a setting: chat decoding sets it)
 */
public record SamplingSettings(int maxTokens, int minTokens, double temperature, int topK, double topP, double minP,
                               double repetitionPenalty, double frequencyPenalty, double presencePenalty,
                               Map<Integer, Double> logitBias, List<String> stop, long seed, int logprobs,
                               RuleSet rules, List<Integer> stopTokenIds) implements Serializable {
    public static final String SECTION = "generate";
    public static final double MAX_TEMPERATURE = 2.0;
    public static final double MAX_PENALTY = 2.0;
    public static final double MAX_BIAS = 100.0;
    public static final int MAX_LOGPROBS = 20;

    public SamplingSettings {
        if (maxTokens < 0) {
            throw bad("max_tokens", "must be at least 0, got " + maxTokens);
        }
        if (minTokens < 0 || minTokens > maxTokens) {
            throw bad("min_tokens", "must be in [0, max_tokens = " + maxTokens + "], got " + minTokens);
        }
        if (!(temperature >= 0 && temperature <= MAX_TEMPERATURE)) {
            throw bad("temperature", "must be in [0, " + MAX_TEMPERATURE + "], got " + temperature);
        }
        if (topK < 0) {
            throw bad("top_k", "must be at least 0, got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw bad("top_p", "must be in (0, 1], got " + topP);
        }
        if (!(minP >= 0 && minP <= 1)) {
            throw bad("min_p", "must be in [0, 1], got " + minP);
        }
        if (!(repetitionPenalty > 0 && repetitionPenalty <= 10)) {
            throw bad("repetition_penalty", "must be in (0, 10], got " + repetitionPenalty);
        }
        if (!(Math.abs(frequencyPenalty) <= MAX_PENALTY)) {
            throw bad("frequency_penalty", "must be in [-2, 2], got " + frequencyPenalty);
        }
        if (!(Math.abs(presencePenalty) <= MAX_PENALTY)) {
            throw bad("presence_penalty", "must be in [-2, 2], got " + presencePenalty);
        }
        logitBias = logitBias == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(logitBias));
        for (Map.Entry<Integer, Double> e : logitBias.entrySet()) {
            if (e.getKey() == null || e.getKey() < 0) {
                throw bad("logit_bias", "token ids must be at least 0, got " + e.getKey());
            }
            if (e.getValue() == null || !(Math.abs(e.getValue()) <= MAX_BIAS)) {
                throw bad("logit_bias", "biases must be in [-100, 100], got " + e.getValue() + " for token " + e.getKey());
            }
        }
        stop = stop == null ? List.of() : List.copyOf(stop);
        for (String s : stop) {
            if (s.isEmpty()) {
                throw bad("stop", "stop strings must not be empty");
            }
        }
        if (logprobs < -1 || logprobs > MAX_LOGPROBS) {
            throw bad("logprobs", "must be in [0, " + MAX_LOGPROBS + "] (or -1: none), got " + logprobs);
        }
        stopTokenIds = stopTokenIds == null ? List.of() : List.copyOf(new java.util.TreeSet<>(stopTokenIds));
        for (int id : stopTokenIds) {
            if (id < 0) {
                throw bad("stop_token_ids", "token ids must be at least 0, got " + id);
            }
        }
    }

    /** Every setting but the stop token ids (none). */
    public SamplingSettings(int maxTokens, int minTokens, double temperature, int topK, double topP, double minP,
                            double repetitionPenalty, double frequencyPenalty, double presencePenalty,
                            Map<Integer, Double> logitBias, List<String> stop, long seed, int logprobs, RuleSet rules) {
        this(maxTokens, minTokens, temperature, topK, topP, minP, repetitionPenalty, frequencyPenalty, presencePenalty,
                logitBias, stop, seed, logprobs, rules, List.of());
    }

    /** The common settings; no penalties, biases, log-probabilities or rules. */
    public SamplingSettings(int maxTokens, double temperature, int topK, double topP, long seed, List<String> stop) {
        this(maxTokens, 0, temperature, topK, topP, 0, 1, 0, 0, Map.of(), stop, seed, -1, null);
    }

    private static ConfigError bad(String name, String problem) {
        return ConfigError.forKey(SECTION + "." + name, problem);
    }

    public static SamplingSettings greedy(int maxTokens) {
        return new SamplingSettings(maxTokens, 0, 0, 1, 0, List.of());
    }

    public static SamplingSettings from(Config config) {
        Section s = new Section(config, SECTION);
        return new SamplingSettings(s.intAtLeast("max_tokens", 0), s.intAtLeast("min_tokens", 0),
                s.doubleIn("temperature", 0, MAX_TEMPERATURE), s.intAtLeast("top_k", 0),
                s.doubleIn("top_p", Double.MIN_VALUE, 1), s.doubleIn("min_p", 0, 1),
                s.doubleIn("repetition_penalty", Double.MIN_VALUE, 10),
                s.doubleIn("frequency_penalty", -MAX_PENALTY, MAX_PENALTY),
                s.doubleIn("presence_penalty", -MAX_PENALTY, MAX_PENALTY), logitBias(config), s.strings("stop"),
                s.longAtLeast("seed", Long.MIN_VALUE), s.intAtLeast("logprobs", -1),
                s.bool("rules") ? RuleSet.from(config) : null);
    }

    /** generate.logit_bias: an object of token id to bias, e.g. { "0": -100 }. */
    private static Map<Integer, Double> logitBias(Config config) {
        String key = SECTION + ".logit_bias";
        Map<Integer, Double> bias = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, ConfigValue> e : config.getConfig(key).root().entrySet()) {
                int id;
                try {
                    id = Integer.parseInt(e.getKey().trim());
                } catch (NumberFormatException x) {
                    throw ConfigError.forKey(key, "keys must be token ids, got '" + e.getKey() + "'");
                }
                Object v = e.getValue().unwrapped();
                if (!(v instanceof Number n)) {
                    throw ConfigError.forKey(key, "the bias of token " + id + " must be a number, got " + v);
                }
                bias.put(id, n.doubleValue());
            }
        } catch (ConfigException e) {
            throw ConfigError.forKey(key, e.getMessage());
        }
        return bias;
    }

    /** Checks the settings against a model's vocabulary (logit_bias ids); the error names the key. */
    public SamplingSettings checkVocabulary(int vocabSize) {
        for (int id : logitBias.keySet()) {
            if (id >= vocabSize) {
                throw bad("logit_bias", "token id " + id + " is outside the vocabulary 0.." + (vocabSize - 1));
            }
        }
        for (int id : stopTokenIds) {
            if (id >= vocabSize) {
                throw bad("stop_token_ids", "token id " + id + " is outside the vocabulary 0.." + (vocabSize - 1));
            }
        }
        return this;
    }

    /** Greedy decoding: no randomness is drawn. */
    public boolean isGreedy() {
        return temperature == 0 || topK == 1;
    }

    public SamplingSettings withMaxTokens(int n) {
        return new SamplingSettings(n, minTokens, temperature, topK, topP, minP, repetitionPenalty, frequencyPenalty,
                presencePenalty, logitBias, stop, seed, logprobs, rules, stopTokenIds);
    }

    public SamplingSettings withMinTokens(int n) {
        return new SamplingSettings(maxTokens, n, temperature, topK, topP, minP, repetitionPenalty, frequencyPenalty,
                presencePenalty, logitBias, stop, seed, logprobs, rules, stopTokenIds);
    }

    public SamplingSettings withSeed(long s) {
        return new SamplingSettings(maxTokens, minTokens, temperature, topK, topP, minP, repetitionPenalty,
                frequencyPenalty, presencePenalty, logitBias, stop, s, logprobs, rules, stopTokenIds);
    }

    public SamplingSettings withTemperature(double t) {
        return new SamplingSettings(maxTokens, minTokens, t, topK, topP, minP, repetitionPenalty, frequencyPenalty,
                presencePenalty, logitBias, stop, seed, logprobs, rules, stopTokenIds);
    }

    public SamplingSettings withTopK(int k) {
        return new SamplingSettings(maxTokens, minTokens, temperature, k, topP, minP, repetitionPenalty,
                frequencyPenalty, presencePenalty, logitBias, stop, seed, logprobs, rules, stopTokenIds);
    }

    public SamplingSettings withTopP(double p) {
        return new SamplingSettings(maxTokens, minTokens, temperature, topK, p, minP, repetitionPenalty,
                frequencyPenalty, presencePenalty, logitBias, stop, seed, logprobs, rules, stopTokenIds);
    }

    public SamplingSettings withMinP(double p) {
        return new SamplingSettings(maxTokens, minTokens, temperature, topK, topP, p, repetitionPenalty,
                frequencyPenalty, presencePenalty, logitBias, stop, seed, logprobs, rules, stopTokenIds);
    }

    public SamplingSettings withPenalties(double repetition, double frequency, double presence) {
        return new SamplingSettings(maxTokens, minTokens, temperature, topK, topP, minP, repetition, frequency,
                presence, logitBias, stop, seed, logprobs, rules, stopTokenIds);
    }

    public SamplingSettings withLogitBias(Map<Integer, Double> bias) {
        return new SamplingSettings(maxTokens, minTokens, temperature, topK, topP, minP, repetitionPenalty,
                frequencyPenalty, presencePenalty, bias, stop, seed, logprobs, rules, stopTokenIds);
    }

    public SamplingSettings withStop(List<String> s) {
        return new SamplingSettings(maxTokens, minTokens, temperature, topK, topP, minP, repetitionPenalty,
                frequencyPenalty, presencePenalty, logitBias, s, seed, logprobs, rules, stopTokenIds);
    }

    public SamplingSettings withLogprobs(int n) {
        return new SamplingSettings(maxTokens, minTokens, temperature, topK, topP, minP, repetitionPenalty,
                frequencyPenalty, presencePenalty, logitBias, stop, seed, n, rules, stopTokenIds);
    }

    public SamplingSettings withRules(RuleSet r) {
        return new SamplingSettings(maxTokens, minTokens, temperature, topK, topP, minP, repetitionPenalty,
                frequencyPenalty, presencePenalty, logitBias, stop, seed, logprobs, r, stopTokenIds);
    }

    /** The same settings, also ending at these token ids (chat: {@code <|end|>}). */
    public SamplingSettings withStopTokenIds(List<Integer> ids) {
        return new SamplingSettings(maxTokens, minTokens, temperature, topK, topP, minP, repetitionPenalty,
                frequencyPenalty, presencePenalty, logitBias, stop, seed, logprobs, rules, ids);
    }

    /** The ids that end a completion: end of text and {@link #stopTokenIds}. */
    public int[] endIds(int endOfText) {
        java.util.TreeSet<Integer> ids = new java.util.TreeSet<>(stopTokenIds);
        ids.add(endOfText);
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The settings as a compact JSON object, recorded on every generated row. */
    public String toJson() {
        StringBuilder sb = new StringBuilder("{\"max_tokens\":").append(maxTokens)
                .append(",\"min_tokens\":").append(minTokens)
                .append(",\"temperature\":").append(temperature)
                .append(",\"top_k\":").append(topK)
                .append(",\"top_p\":").append(topP)
                .append(",\"min_p\":").append(minP)
                .append(",\"repetition_penalty\":").append(repetitionPenalty)
                .append(",\"frequency_penalty\":").append(frequencyPenalty)
                .append(",\"presence_penalty\":").append(presencePenalty)
                .append(",\"logit_bias\":{");
        boolean first = true;
        for (Map.Entry<Integer, Double> e : logitBias.entrySet()) {
            sb.append(first ? "" : ",").append('"').append(e.getKey()).append("\":").append(e.getValue());
            first = false;
        }
        sb.append("},\"seed\":").append(seed)
                .append(",\"logprobs\":").append(logprobs)
                .append(",\"stop_token_ids\":").append(stopTokenIds.toString().replace(" ", ""))
                .append(",\"rules\":").append(rules == null ? "null" : jsonString(rules.origin()))
                .append(",\"stop\":[");
        for (int i = 0; i < stop.size(); i++) {
            sb.append(i == 0 ? "" : ",").append(jsonString(stop.get(i)));
        }
        return sb.append("]}").toString();
    }

    private static String jsonString(String s) {
        return '"' + new String(com.fasterxml.jackson.core.io.JsonStringEncoder.getInstance().quoteAsString(s)) + '"';
    }
}
