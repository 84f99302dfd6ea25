package ai.refinery.training.serve;

import ai.refinery.training.generate.Completion;
import ai.refinery.training.generate.Generator;
import ai.refinery.training.generate.ModelBundle;
import ai.refinery.training.generate.SamplingSettings;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An OpenAI-compatible completion server over one model, on the JDK's HTTP server:
 * <ul>
 *   <li>POST /v1/completions: model, prompt (a string or a list of strings), max_tokens, temperature, top_p,
 *       top_k (an extension, as in vLLM), n (1 only), stop (a string or up to 4), seed; answers id, object
 *       "text_completion", created, model, choices [{text, index, logprobs: null, finish_reason "stop" |
 *       "length"}] and usage {prompt_tokens, completion_tokens, total_tokens}. A request without a seed uses
 *       generate.seed, so the same request gives the same answer.</li>
 *   <li>GET /v1/models: the one model.</li>
 * </ul>
 * {@code threads} workers generate at once, each with its own copy of the model (a graph is not thread-safe);
 * up to {@code max_queue} requests wait; beyond that a request is answered 503 at once by the accepting thread.
 * Every refused request gets a 4xx with an OpenAI-style body {"error": {message, type, param, code}}; a
 * failure while generating is a 500. Nothing a client sends stops the server.
 */
public final class CompletionServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CompletionServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_STOP = 4;
    /** Set on the worker threads: a handler running elsewhere was pushed out of a full queue. */
    private static final ThreadLocal<Boolean> WORKER = ThreadLocal.withInitial(() -> false);

    private final HttpServer server;
    private final ThreadPoolExecutor executor;
    private final BlockingQueue<Generator> generators;
    private final String modelId;
    private final ServeSettings settings;
    private final SamplingSettings defaults;
    private final int contextLength;
    private final long created = System.currentTimeMillis() / 1000;
    private final AtomicLong requestCounter = new AtomicLong();

    private CompletionServer(ModelBundle model, ServeSettings settings, SamplingSettings defaults) throws IOException {
        this.settings = settings;
        this.defaults = defaults;
        this.modelId = settings.modelId().isEmpty() ? model.modelId() : settings.modelId();
        this.contextLength = model.contextLength();
        this.generators = new ArrayBlockingQueue<>(settings.threads());
        generators.add(model.generator());
        for (int i = 1; i < settings.threads(); i++) {
            generators.add(model.newGenerator());
        }
        AtomicInteger n = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(settings.threads(), settings.threads(), 0, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(Math.max(1, settings.maxQueue())), r -> {
            Thread t = new Thread(() -> {
                WORKER.set(true);
                r.run();
            }, "serve-worker-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.CallerRunsPolicy());
        this.server = HttpServer.create(new InetSocketAddress(settings.host(), settings.port()), settings.maxQueue() + settings.threads());
        server.createContext("/", this::handle);
        server.setExecutor(executor);
    }

    /** Starts serving; {@link #close()} stops. */
    public static CompletionServer start(ModelBundle model, ServeSettings settings, SamplingSettings defaults) throws IOException {
        CompletionServer s = new CompletionServer(model, settings, defaults);
        s.server.start();
        LOG.info("Serving model '{}' on {}", s.modelId, s.baseUri());
        return s;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String modelId() {
        return modelId;
    }

    /** e.g. http://127.0.0.1:8080 */
    public URI baseUri() {
        String host = server.getAddress().getAddress().getHostAddress();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return URI.create("http://" + host + ":" + port());
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange ex) {
        try (ex) {
            try {
                if (!WORKER.get()) {
                    throw new ApiError(503, "server_error", null, "overloaded",
                            "the server is busy (" + settings.threads() + " generating, " + settings.maxQueue()
                                    + " waiting); retry later");
                }
                String path = ex.getRequestURI().getPath();
                String method = ex.getRequestMethod();
                if (path.equals("/v1/completions")) {
                    requireMethod(method, "POST");
                    send(ex, 200, completions(readBody(ex)));
                } else if (path.equals("/v1/models")) {
                    requireMethod(method, "GET");
                    send(ex, 200, models());
                } else if (path.startsWith("/v1/models/")) {
                    requireMethod(method, "GET");
                    String id = path.substring("/v1/models/".length());
                    if (!id.equals(modelId)) {
                        throw unknownModel(id);
                    }
                    send(ex, 200, model());
                } else {
                    throw new ApiError(404, "invalid_request_error", null, "not_found", "no such endpoint: " + method + " " + path);
                }
            } catch (ApiError e) {
                sendError(ex, e.status, e.type, e.param, e.code, e.getMessage());
            } catch (RuntimeException | OutOfMemoryError | StackOverflowError e) {
                LOG.error("Request failed", e);
                sendError(ex, 500, "server_error", null, null, "generation failed: " + e);
            }
        } catch (IOException | RuntimeException e) {
            // The client went away while we answered: nothing left to tell it.
            LOG.debug("Could not answer a request", e);
        }
    }

    private static void requireMethod(String method, String expected) {
        if (!method.equals(expected)) {
            throw new ApiError(405, "invalid_request_error", null, "method_not_allowed", "use " + expected + ", not " + method);
        }
    }

    private byte[] readBody(HttpExchange ex) throws IOException {
        String length = ex.getRequestHeaders().getFirst("Content-Length");
        if (length != null) {
            try {
                if (Long.parseLong(length.trim()) > settings.maxRequestBytes()) {
                    throw tooLarge();
                }
            } catch (NumberFormatException e) {
                throw ApiError.invalid(null, "bad Content-Length header");
            }
        }
        try (InputStream in = ex.getRequestBody()) {
            byte[] body = in.readNBytes(settings.maxRequestBytes() + 1);
            if (body.length > settings.maxRequestBytes()) {
                throw tooLarge();
            }
            return body;
        }
    }

    private ApiError tooLarge() {
        return new ApiError(413, "invalid_request_error", null, "request_too_large",
                "the request body is larger than " + settings.maxRequestBytes() + " bytes (serve.max_request_bytes)");
    }

    private static ApiError unknownModel(String id) {
        return new ApiError(404, "invalid_request_error", "model", "model_not_found", "the model '" + id + "' does not exist");
    }

    private ObjectNode models() {
        ObjectNode out = JSON.createObjectNode();
        out.put("object", "list");
        out.putArray("data").add(model());
        return out;
    }

    private ObjectNode model() {
        ObjectNode m = JSON.createObjectNode();
        m.put("id", modelId);
        m.put("object", "model");
        m.put("created", created);
        m.put("owned_by", "refinery");
        m.put("context_length", contextLength);
        return m;
    }

    /** A parsed and checked completion request. */
    record Request(List<String> prompts, SamplingSettings sampling) {
    }

    Request parse(byte[] body) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiError.invalid(null, "invalid_json", "the body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ApiError.invalid(null, "invalid_json", "cannot read the body: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw ApiError.invalid(null, "invalid_json", "the body must be a JSON object");
        }
        JsonNode model = root.get("model");
        if (model == null || !model.isTextual()) {
            throw ApiError.invalid("model", "'model' must be a string (this server has '" + modelId + "')");
        }
        if (!model.asText().equals(modelId)) {
            throw unknownModel(model.asText());
        }
        List<String> prompts = new ArrayList<>();
        JsonNode prompt = root.get("prompt");
        if (prompt == null || prompt.isNull()) {
            throw ApiError.invalid("prompt", "'prompt' is required");
        } else if (prompt.isTextual()) {
            prompts.add(prompt.asText());
        } else if (prompt.isArray()) {
            if (prompt.isEmpty()) {
                throw ApiError.invalid("prompt", "'prompt' must not be an empty list");
            }
            if (prompt.size() > settings.maxPrompts()) {
                throw ApiError.invalid("prompt", "at most " + settings.maxPrompts() + " prompts per request (serve.max_prompts), got " + prompt.size());
            }
            for (JsonNode p : prompt) {
                if (!p.isTextual()) {
                    throw ApiError.invalid("prompt", "'prompt' must be a string or a list of strings (token-id prompts are not supported)");
                }
                prompts.add(p.asText());
            }
        } else {
            throw ApiError.invalid("prompt", "'prompt' must be a string or a list of strings");
        }
        if (has(root, "stream") && (!root.get("stream").isBoolean() || root.get("stream").asBoolean())) {
            throw ApiError.invalid("stream", "streaming is not supported");
        }
        if (has(root, "n") && intParam(root, "n", 1, Integer.MAX_VALUE) != 1) {
            throw ApiError.invalid("n", "only n = 1 is supported");
        }
        if (has(root, "best_of") && intParam(root, "best_of", 1, Integer.MAX_VALUE) != 1) {
            throw ApiError.invalid("best_of", "only best_of = 1 is supported");
        }
        int maxTokens = has(root, "max_tokens") ? intParam(root, "max_tokens", 0, Integer.MAX_VALUE)
                : Math.min(defaults.maxTokens(), settings.maxTokensLimit());
        if (maxTokens > settings.maxTokensLimit()) {
            throw ApiError.invalid("max_tokens", "max_tokens must be at most " + settings.maxTokensLimit()
                    + " (serve.max_tokens_limit), got " + maxTokens);
        }
        double temperature = has(root, "temperature")
                ? numberParam(root, "temperature", 0, SamplingSettings.MAX_TEMPERATURE) : defaults.temperature();
        double topP = has(root, "top_p") ? numberParam(root, "top_p", 0, 1) : defaults.topP();
        if (topP <= 0) {
            throw ApiError.invalid("top_p", "top_p must be in (0, 1], got " + topP);
        }
        int topK = has(root, "top_k") ? intParam(root, "top_k", -1, Integer.MAX_VALUE) : defaults.topK();
        if (topK < 0) {
            topK = 0; // vLLM's "-1 = off"
        }
        long seed = defaults.seed();
        if (has(root, "seed")) {
            JsonNode s = root.get("seed");
            if (!s.isIntegralNumber() || !s.canConvertToLong()) {
                throw ApiError.invalid("seed", "'seed' must be an integer");
            }
            seed = s.asLong();
        }
        List<String> stop = new ArrayList<>(defaults.stop());
        if (has(root, "stop")) {
            stop.clear();
            JsonNode s = root.get("stop");
            if (s.isTextual()) {
                stop.add(s.asText());
            } else if (s.isArray() && s.size() <= MAX_STOP) {
                for (JsonNode x : s) {
                    if (!x.isTextual()) {
                        throw ApiError.invalid("stop", "'stop' must be a string or a list of up to 4 strings");
                    }
                    stop.add(x.asText());
                }
            } else {
                throw ApiError.invalid("stop", "'stop' must be a string or a list of up to 4 strings");
            }
            if (stop.stream().anyMatch(String::isEmpty)) {
                throw ApiError.invalid("stop", "stop strings must not be empty");
            }
        }
        return new Request(prompts, new SamplingSettings(maxTokens, temperature, topK, topP, seed, stop));
    }

    private static boolean has(JsonNode root, String name) {
        JsonNode v = root.get(name);
        return v != null && !v.isNull();
    }

    private static int intParam(JsonNode root, String name, int min, int max) {
        JsonNode v = root.get(name);
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw ApiError.invalid(name, "'" + name + "' must be an integer");
        }
        int x = v.asInt();
        if (x < min || x > max) {
            throw ApiError.invalid(name, "'" + name + "' must be in [" + min + ", " + max + "], got " + x);
        }
        return x;
    }

    private static double numberParam(JsonNode root, String name, double min, double max) {
        JsonNode v = root.get(name);
        if (!v.isNumber()) {
            throw ApiError.invalid(name, "'" + name + "' must be a number");
        }
        double x = v.asDouble();
        if (!(x >= min && x <= max)) {
            throw ApiError.invalid(name, "'" + name + "' must be in [" + min + ", " + max + "], got " + x);
        }
        return x;
    }

    private ObjectNode completions(byte[] body) {
        Request request = parse(body);
        Generator g;
        try {
            g = generators.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiError(503, "server_error", null, "shutting_down", "the server is stopping");
        }
        List<Completion> done = new ArrayList<>(request.prompts().size());
        try {
            // Check every prompt's length first: a request is answered whole or refused whole.
            List<int[]> ids = new ArrayList<>();
            for (int i = 0; i < request.prompts().size(); i++) {
                int[] p = g.encode(request.prompts().get(i));
                if (p.length > contextLength) {
                    throw ApiError.invalid("prompt", "context_length_exceeded", "prompt " + i + " has " + p.length
                            + " tokens; this model's context length is " + contextLength);
                }
                ids.add(p);
            }
            for (int[] p : ids) {
                done.add(g.complete(p, request.sampling()));
            }
        } finally {
            generators.add(g);
        }
        ObjectNode out = JSON.createObjectNode();
        out.put("id", "cmpl-" + Long.toHexString(created) + "-" + requestCounter.incrementAndGet());
        out.put("object", "text_completion");
        out.put("created", System.currentTimeMillis() / 1000);
        out.put("model", modelId);
        ArrayNode choices = out.putArray("choices");
        long promptTokens = 0;
        long completionTokens = 0;
        for (int i = 0; i < done.size(); i++) {
            Completion c = done.get(i);
            ObjectNode choice = choices.addObject();
            choice.put("text", c.text());
            choice.put("index", i);
            choice.putNull("logprobs");
            choice.put("finish_reason", c.finishReason().wire());
            promptTokens += c.promptTokens();
            completionTokens += c.completionTokens();
        }
        ObjectNode usage = out.putObject("usage");
        usage.put("prompt_tokens", promptTokens);
        usage.put("completion_tokens", completionTokens);
        usage.put("total_tokens", promptTokens + completionTokens);
        return out;
    }

    private static void sendError(HttpExchange ex, int status, String type, String param, String code, String message)
            throws IOException {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode e = body.putObject("error");
        e.put("message", message);
        e.put("type", type);
        e.put("param", param);
        e.put("code", code);
        send(ex, status, body);
    }

    private static void send(HttpExchange ex, int status, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsString(body).getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }
}
