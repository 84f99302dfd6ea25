package ai.refinery.rephrasing.model;

import ai.refinery.core.config.ConfigError;
import ai.refinery.core.config.Section;
import com.typesafe.config.Config;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * Settings of model-backed rephrasing (sections rephrase.model and rephrase.guards; the seed is rephrase.seed).
 *
 * @param endpoint       base URL of an OpenAI-compatible server (requests go to endpoint/v1/completions)
 * @param model          the "model" of every request; empty: ask the endpoint's /v1/models
 * @param apiKeyEnv      environment variable with a bearer token, or empty
 * @param templates      style -> prompt template with a {text} placeholder, in the configured style order
 * @param maxSourceChars document characters put into a prompt at most
 * @param maxTokens      max_tokens of each request
 * @param temperature    temperature of each request
 * @param topP           top_p of each request
 * @param seed           seed of each request
 * @param timeoutS       seconds to wait for one response
 * @param retries        retries after a timeout, connection error, 429 or 5xx
 * @param backoffMs      first back-off delay (doubled per retry, full jitter)
 * @param maxBackoffMs   back-off cap
 * @param concurrency    requests in flight per executor JVM and endpoint
 * @param batchSize      prompts per request
 * @param guards         checks on the generated text
 */
public record ModelRephraseSettings(String endpoint, String model, String apiKeyEnv, Map<String, String> templates,
                                    int maxSourceChars, int maxTokens, double temperature, double topP, long seed,
                                    int timeoutS, int retries, long backoffMs, long maxBackoffMs, int concurrency,
                                    int batchSize, Guards guards) implements Serializable {
    public static final String SECTION = "rephrase.model";

    public ModelRephraseSettings {
        if (!endpoint.startsWith("http://") && !endpoint.startsWith("https://")) {
            throw ConfigError.forKey(SECTION + ".endpoint", "must be an http:// or https:// URL, got '" + endpoint + "'");
        }
        while (endpoint.endsWith("/")) {
            endpoint = endpoint.substring(0, endpoint.length() - 1);
        }
        if (templates.isEmpty()) {
            throw ConfigError.forKey(SECTION + ".styles", "must name at least one style");
        }
        if (maxBackoffMs < backoffMs) {
            throw ConfigError.forKey(SECTION + ".max_backoff_ms", "must be at least backoff_ms (" + backoffMs + ")");
        }
    }

    public static ModelRephraseSettings from(Config config) {
        Section r = new Section(config, "rephrase");
        Section s = new Section(config, SECTION);
        List<String> styles = s.strings("styles");
        Map<String, String> templates = PromptTemplates.load(s.string("prompts"), styles, s.key("prompts"));
        return new ModelRephraseSettings(s.string("endpoint"), s.string("model"), s.string("api_key_env"), templates,
                s.intAtLeast("max_source_chars", 1), s.intAtLeast("max_tokens", 1), s.doubleIn("temperature", 0, 2),
                s.doubleIn("top_p", Double.MIN_VALUE, 1), r.longAtLeast("seed", Long.MIN_VALUE),
                s.intAtLeast("timeout_s", 1), s.intAtLeast("retries", 0), s.longAtLeast("backoff_ms", 0),
                s.longAtLeast("max_backoff_ms", 0), s.intAtLeast("concurrency", 1), s.intAtLeast("batch_size", 1),
                Guards.from(config));
    }

    public ModelRephraseSettings withModel(String m) {
        return new ModelRephraseSettings(endpoint, m, apiKeyEnv, templates, maxSourceChars, maxTokens, temperature, topP,
                seed, timeoutS, retries, backoffMs, maxBackoffMs, concurrency, batchSize, guards);
    }

    public ModelRephraseSettings withEndpoint(String e) {
        return new ModelRephraseSettings(e, model, apiKeyEnv, templates, maxSourceChars, maxTokens, temperature, topP,
                seed, timeoutS, retries, backoffMs, maxBackoffMs, concurrency, batchSize, guards);
    }

    public ModelRephraseSettings withGuards(Guards g) {
        return new ModelRephraseSettings(endpoint, model, apiKeyEnv, templates, maxSourceChars, maxTokens, temperature, topP,
                seed, timeoutS, retries, backoffMs, maxBackoffMs, concurrency, batchSize, g);
    }

    /** The prompt of one document in one style. */
    public String prompt(String style, String text) {
        return PromptTemplates.render(templates.get(style), text, maxSourceChars);
    }
}
