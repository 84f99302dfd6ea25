package ai.refinery.training.serve;

import ai.refinery.core.config.ConfigError;
import ai.refinery.core.config.Section;
import com.typesafe.config.Config;

/**
 * Settings of the completion server (section "serve" of refinery.conf).
 *
 * @param host            address to bind; loopback by default, so nothing outside the machine can reach it
 * @param port            TCP port; 0 picks a free one
 * @param threads         decoding threads (the model's weights are shared; each thread decodes a batch)
 * @param maxBatch        sequences one decoding thread decodes at once, from any requests (continuous batching)
 * @param maxQueue        requests waiting for a thread; beyond that the server answers 503 at once
 * @param maxRequestBytes largest request body accepted (413 above)
 * @param maxTokensLimit  largest max_tokens a request may ask for (400 above)
 * @param maxPrompts      largest number of prompts in one request's prompt list (400 above)
 * @param modelId         the model's name in the API; empty: the model folder's name
 */
public record ServeSettings(String host, int port, int threads, int maxBatch, int maxQueue, int maxRequestBytes,
                            int maxTokensLimit, int maxPrompts, String modelId) {
    public static final String SECTION = "serve";

    public ServeSettings {
        if (host == null || host.isBlank()) {
            throw ConfigError.forKey(SECTION + ".host", "must not be empty");
        }
        if (port < 0 || port > 65535) {
            throw ConfigError.forKey(SECTION + ".port", "must be in [0, 65535], got " + port);
        }
        if (threads < 1) {
            throw ConfigError.forKey(SECTION + ".threads", "must be at least 1, got " + threads);
        }
        if (maxBatch < 1) {
            throw ConfigError.forKey(SECTION + ".max_batch", "must be at least 1, got " + maxBatch);
        }
        if (maxQueue < 0) {
            throw ConfigError.forKey(SECTION + ".max_queue", "must be at least 0, got " + maxQueue);
        }
        if (maxRequestBytes < 64) {
            throw ConfigError.forKey(SECTION + ".max_request_bytes", "must be at least 64, got " + maxRequestBytes);
        }
        if (maxTokensLimit < 1) {
            throw ConfigError.forKey(SECTION + ".max_tokens_limit", "must be at least 1, got " + maxTokensLimit);
        }
        if (maxPrompts < 1) {
            throw ConfigError.forKey(SECTION + ".max_prompts", "must be at least 1, got " + maxPrompts);
        }
        modelId = modelId == null ? "" : modelId;
    }

    public static ServeSettings from(Config config) {
        Section s = new Section(config, SECTION);
        return new ServeSettings(s.string("host"), s.intAtLeast("port", 0), s.intAtLeast("threads", 1),
                s.intAtLeast("max_batch", 1), s.intAtLeast("max_queue", 0), s.intAtLeast("max_request_bytes", 64),
                s.intAtLeast("max_tokens_limit", 1), s.intAtLeast("max_prompts", 1), s.string("model_id"));
    }

    public ServeSettings withPort(int p) {
        return new ServeSettings(host, p, threads, maxBatch, maxQueue, maxRequestBytes, maxTokensLimit, maxPrompts, modelId);
    }

    public ServeSettings withHost(String h) {
        return new ServeSettings(h, port, threads, maxBatch, maxQueue, maxRequestBytes, maxTokensLimit, maxPrompts, modelId);
    }

    public ServeSettings withThreads(int t) {
        return new ServeSettings(host, port, t, maxBatch, maxQueue, maxRequestBytes, maxTokensLimit, maxPrompts, modelId);
    }

    public ServeSettings withMaxBatch(int b) {
        return new ServeSettings(host, port, threads, b, maxQueue, maxRequestBytes, maxTokensLimit, maxPrompts, modelId);
    }

    public ServeSettings withMaxQueue(int q) {
        return new ServeSettings(host, port, threads, maxBatch, q, maxRequestBytes, maxTokensLimit, maxPrompts, modelId);
    }

    public ServeSettings withMaxRequestBytes(int b) {
        return new ServeSettings(host, port, threads, maxBatch, maxQueue, b, maxTokensLimit, maxPrompts, modelId);
    }

    public ServeSettings withMaxTokensLimit(int m) {
        return new ServeSettings(host, port, threads, maxBatch, maxQueue, maxRequestBytes, m, maxPrompts, modelId);
    }

    public ServeSettings withModelId(String id) {
        return new ServeSettings(host, port, threads, maxBatch, maxQueue, maxRequestBytes, maxTokensLimit, maxPrompts, id);
    }
}
