package ai.refinery.rephrasing.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A {@link TextGenerator} over any OpenAI-compatible completions endpoint (refinery serve, vLLM, ...), with the
 * JDK's HTTP client:
 * <ul>
 *   <li>prompts go batch_size at a time as the request's prompt list; when a batch is refused with a 4xx other
 *       than 429, its prompts are sent one by one so that only the bad one fails;</li>
 *   <li>at most {@code concurrency} requests are in flight per JVM (an executor) and endpoint, whatever the
 *       number of tasks and threads using it;</li>
 *   <li>a timeout, a connection error, 429 or 5xx is retried up to {@code retries} times after an exponential
 *       back-off with full jitter (a random wait in [0, min(max_backoff, backoff * 2^attempt)]).</li>
 * </ul>
 * Thread-safe.
 */
public final class OpenAiCompletionsClient implements TextGenerator {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Per JVM and endpoint: the in-flight limit shared by every client of that endpoint. */
    private static final Map<String, Semaphore> PERMITS = new ConcurrentHashMap<>();

    private final ModelRephraseSettings settings;
    private final String model;
    private final HttpClient http;
    private final URI completions;
    private final Semaphore permits;
    private final String apiKey;

    public OpenAiCompletionsClient(ModelRephraseSettings settings) {
        this.settings = settings;
        this.model = settings.model();
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(settings.timeoutS()))
                .version(HttpClient.Version.HTTP_1_1).build();
        this.completions = URI.create(settings.endpoint() + "/v1/completions");
        this.permits = PERMITS.computeIfAbsent(settings.endpoint() + "#" + settings.concurrency(),
                k -> new Semaphore(settings.concurrency(), true));
        this.apiKey = settings.apiKeyEnv().isEmpty() ? null : System.getenv(settings.apiKeyEnv());
    }

    /** The first model an endpoint lists at /v1/models (for an empty rephrase.model.model). */
    public static String firstModel(String endpoint, int timeoutS) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(timeoutS)).build();
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(endpoint.replaceAll("/+$", "") + "/v1/models"))
                .timeout(Duration.ofSeconds(timeoutS)).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("GET /v1/models answered " + r.statusCode() + ": " + r.body());
        }
        JsonNode data = JSON.readTree(r.body()).path("data");
        if (!data.isArray() || data.isEmpty() || !data.get(0).path("id").isTextual()) {
            throw new IOException("GET /v1/models lists no model: " + r.body());
        }
        return data.get(0).get("id").asText();
    }

    @Override
    public String modelId() {
        return model;
    }

    @Override
    public List<Generated> generate(List<String> prompts) {
        List<Generated> out = new ArrayList<>(prompts.size());
        for (int i = 0; i < prompts.size(); i += settings.batchSize()) {
            out.addAll(batch(prompts.subList(i, Math.min(prompts.size(), i + settings.batchSize()))));
        }
        return out;
    }

    /** One request's worth of prompts. */
    private List<Generated> batch(List<String> prompts) {
        Attempt last = null;
        for (int attempt = 0; attempt <= settings.retries(); attempt++) {
            if (attempt > 0) {
                sleep(backoff(attempt - 1));
            }
            last = send(prompts);
            if (last.results != null) {
                List<Generated> out = new ArrayList<>(prompts.size());
                for (Generated g : last.results) {
                    out.add(Generated.ok(g.text(), g.finishReason(), attempt + 1));
                }
                return out;
            }
            if (!last.retryable) {
                if (prompts.size() > 1) {
                    List<Generated> out = new ArrayList<>(prompts.size());
                    for (String p : prompts) {
                        out.addAll(batch(List.of(p)));
                    }
                    return out;
                }
                return List.of(Generated.failed(last.error, attempt + 1));
            }
        }
        String error = last.error + " (gave up after " + (settings.retries() + 1) + " attempts)";
        List<Generated> out = new ArrayList<>(prompts.size());
        for (int i = 0; i < prompts.size(); i++) {
            out.add(Generated.failed(error, settings.retries() + 1));
        }
        return out;
    }

    /** Full jitter: uniform in [0, min(cap, base * 2^n)]. */
    long backoff(int n) {
        long ceiling = settings.backoffMs() << Math.min(n, 30);
        if (ceiling < 0 || ceiling > settings.maxBackoffMs()) {
            ceiling = settings.maxBackoffMs();
        }
        return ceiling <= 0 ? 0 : ThreadLocalRandom.current().nextLong(ceiling + 1);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while backing off", e);
        }
    }

    /** The outcome of one HTTP request: results, or an error that may be worth retrying. */
    private record Attempt(List<Generated> results, String error, boolean retryable) {
    }

    private Attempt send(List<String> prompts) {
        ObjectNode body = JSON.createObjectNode();
        body.put("model", model);
        if (prompts.size() == 1) {
            body.put("prompt", prompts.get(0));
        } else {
            ArrayNode list = body.putArray("prompt");
            prompts.forEach(list::add);
        }
        body.put("max_tokens", settings.maxTokens());
        body.put("temperature", settings.temperature());
        body.put("top_p", settings.topP());
        body.put("seed", settings.seed());
        body.put("n", 1);
        HttpRequest.Builder request = HttpRequest.newBuilder(completions)
                .timeout(Duration.ofSeconds(settings.timeoutS()))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        if (apiKey != null && !apiKey.isEmpty()) {
            request.header("Authorization", "Bearer " + apiKey);
        }
        HttpResponse<String> response;
        try {
            permits.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a request slot", e);
        }
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (HttpTimeoutException e) {
            return new Attempt(null, "timeout after " + settings.timeoutS() + " s", true);
        } catch (IOException e) {
            return new Attempt(null, "connection error: " + e, true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during a request", e);
        } finally {
            permits.release();
        }
        int status = response.statusCode();
        if (status == 429 || status >= 500) {
            return new Attempt(null, "HTTP " + status + ": " + errorMessage(response.body()), true);
        }
        if (status != 200) {
            return new Attempt(null, "HTTP " + status + ": " + errorMessage(response.body()), false);
        }
        return parse(response.body(), prompts.size());
    }

    private static Attempt parse(String body, int n) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            return new Attempt(null, "the response is not JSON: " + abbreviate(body), false);
        }
        JsonNode choices = root == null ? null : root.get("choices");
        if (choices == null || !choices.isArray() || choices.size() != n) {
            return new Attempt(null, "the response does not hold " + n + " choices: " + abbreviate(body), false);
        }
        Generated[] out = new Generated[n];
        for (int i = 0; i < n; i++) {
            JsonNode c = choices.get(i);
            int index = c.path("index").isInt() ? c.get("index").asInt() : i;
            if (index < 0 || index >= n || out[index] != null || !c.path("text").isTextual()) {
                return new Attempt(null, "malformed choice " + i + " in the response: " + abbreviate(body), false);
            }
            out[index] = Generated.ok(c.get("text").asText(),
                    c.path("finish_reason").isTextual() ? c.get("finish_reason").asText() : null, 1);
        }
        return new Attempt(List.of(out), null, false);
    }

    private static String errorMessage(String body) {
        try {
            JsonNode m = JSON.readTree(body).path("error").path("message");
            if (m.isTextual()) {
                return m.asText();
            }
        } catch (IOException | RuntimeException e) {
            // not an OpenAI error body: show it as it is
        }
        return abbreviate(body);
    }

    private static String abbreviate(String s) {
        return s == null ? "" : s.length() <= 300 ? s : s.substring(0, 300) + "...";
    }
}
