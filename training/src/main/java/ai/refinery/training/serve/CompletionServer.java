package ai.refinery.training.serve;

import ai.refinery.core.config.ConfigError;
import ai.refinery.core.sft.Message;
import ai.refinery.training.decode.Completion;
import ai.refinery.training.decode.RuleSet;
import ai.refinery.training.decode.SamplingSettings;
import ai.refinery.training.generate.ModelBundle;
import ai.refinery.training.tokenizer.BpeTokenizer;
import ai.refinery.training.tokenizer.ChatTemplate;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An OpenAI-compatible completion server over one model, on the JDK's HTTP server:
 * <ul>
 *   <li>POST /v1/completions: model, prompt (a string or a list of strings), max_tokens, temperature, top_p,
 *       n (1 only), stop (a string or up to 4), seed, frequency_penalty, presence_penalty, logit_bias, logprobs
 *       (0..{@value SamplingSettings#MAX_LOGPROBS}), and the extensions top_k, min_p, repetition_penalty,
 *       min_tokens (as in vLLM) and rules (the rule-based adapter of generate.rules_file); answers id, object
 *       "text_completion", created, model, choices [{text, index, logprobs (null, or tokens, token_logprobs,
 *       top_logprobs, text_offset), finish_reason "stop" | "length"}] and usage {prompt_tokens,
 *       completion_tokens, total_tokens}. A request without a seed uses generate.seed, so the same request gives
 *       the same answer.</li>
 *   <li>POST /v1/chat/completions: model, messages [{role system | user | assistant ("developer" is system),
 *       content: a string or text parts}], the same sampling fields (max_completion_tokens or max_tokens), logprobs
 *       (true/false) with top_logprobs; the conversation is formatted with {@link ChatTemplate#generationPrompt} and
 *       the answer ends at {@code <|end|>}; answers id, object "chat.completion", created, model, choices [{index,
 *       message {role "assistant", content}, logprobs (null, or content [{token, logprob, bytes, top_logprobs}]),
 *       finish_reason}] and usage.</li>
 *   <li>GET /v1/models: the one model.</li>
 * </ul>
 * The prompts of all requests are decoded by {@code threads} decoding threads over the shared weights, each
 * batching up to {@code max_batch} sequences ({@link DecodeWorkers}); up to {@code max_queue} requests wait for
 * a request thread; beyond that a request is answered 503 at once by the accepting thread.
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
    private final DecodeWorkers workers;
    private final BpeTokenizer tokenizer;
    private final int vocabSize;
    private final RuleSet rules;
    private final String modelId;
    private final ServeSettings settings;
    private final SamplingSettings defaults;
    private final int contextLength;
    /** The chat template, or null when the tokenizer has no chat markers. */
    private final ChatTemplate chat;
    private final long created = System.currentTimeMillis() / 1000;
    private final AtomicLong requestCounter = new AtomicLong();

    private CompletionServer(ModelBundle model, ServeSettings settings, SamplingSettings defaults, RuleSet rules)
            throws IOException {
        this.settings = settings;
        this.defaults = defaults;
        this.rules = rules;
        this.modelId = settings.modelId().isEmpty() ? model.modelId() : settings.modelId();
        this.contextLength = model.contextLength();
        this.tokenizer = model.tokenizer();
        this.vocabSize = model.vocabSize();
        this.chat = ChatTemplate.supports(tokenizer) ? new ChatTemplate(tokenizer) : null;
        this.workers = new DecodeWorkers(model, settings.threads(), settings.maxBatch());
        // Request threads mostly wait for their completions: enough of them to fill every decoding batch.
        int requestThreads = settings.threads() * settings.maxBatch();
        AtomicInteger n = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(requestThreads, requestThreads, 0, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(Math.max(1, settings.maxQueue())), r -> {
            Thread t = new Thread(() -> {
                WORKER.set(true);
                r.run();
            }, "serve-worker-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.CallerRunsPolicy());
        this.server = HttpServer.create(new InetSocketAddress(settings.host(), settings.port()), settings.maxQueue() + requestThreads);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
    }

    /** Starts serving without the rule-based adapter; {@link #close()} stops. */
    public static CompletionServer start(ModelBundle model, ServeSettings settings, SamplingSettings defaults) throws IOException {
        return start(model, settings, defaults, null);
    }

    /**
     * Starts serving; {@link #close()} stops.
     *
     * @param rules the adapter a request turns on with "rules": true (null: such requests are refused)
     */
    public static CompletionServer start(ModelBundle model, ServeSettings settings, SamplingSettings defaults,
                                         RuleSet rules) throws IOException {
        CompletionServer s = new CompletionServer(model, settings, defaults, rules);
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
        workers.close();
        executor.shutdownNow();
    }

    private void handle(HttpExchange ex) {
        try (ex) {
            try {
                if (!WORKER.get()) {
                    throw new ApiError(503, "server_error", null, "overloaded",
                            "the server is busy (" + settings.threads() * settings.maxBatch() + " requests in progress, "
                                    + settings.maxQueue() + " waiting); retry later");
                }
                String path = ex.getRequestURI().getPath();
                String method = ex.getRequestMethod();
                if (path.equals("/v1/completions")) {
                    requireMethod(method, "POST");
                    send(ex, 200, completions(readBody(ex)));
                } else if (path.equals("/v1/chat/completions")) {
                    requireMethod(method, "POST");
                    send(ex, 200, chatCompletions(readBody(ex)));
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
        JsonNode root = requestObject(body);
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
        if (has(root, "echo") && (!root.get("echo").isBoolean() || root.get("echo").asBoolean())) {
            throw ApiError.invalid("echo", "echo is not supported");
        }
        if (has(root, "best_of") && intParam(root, "best_of", 1, Integer.MAX_VALUE) != 1) {
            throw ApiError.invalid("best_of", "only best_of = 1 is supported");
        }
        int logprobs = has(root, "logprobs") ? intParam(root, "logprobs", 0, SamplingSettings.MAX_LOGPROBS) : -1;
        return new Request(prompts, sampling(root, "max_tokens", logprobs));
    }

    /** A parsed and checked chat request: the conversation and the settings (which end at {@code <|end|>}). */
    record ChatRequest(List<Message> messages, SamplingSettings sampling) {
    }

    ChatRequest parseChat(byte[] body) {
        JsonNode root = requestObject(body);
        if (chat == null) {
            throw ApiError.invalid("messages", "this model's tokenizer has no chat markers (<|system|>, <|user|>, "
                    + "<|assistant|>, <|end|>): use /v1/completions");
        }
        JsonNode node = root.get("messages");
        if (node == null || node.isNull()) {
            throw ApiError.invalid("messages", "'messages' is required");
        }
        if (!node.isArray()) {
            throw ApiError.invalid("messages", "'messages' must be a list of {role, content} objects");
        }
        if (node.isEmpty()) {
            throw ApiError.invalid("messages", "'messages' must not be empty");
        }
        List<Message> messages = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            messages.add(message(node.get(i), "messages.[" + i + "]"));
        }
        // OpenAI's chat API: logprobs is a flag, top_logprobs the number of alternatives (which needs the flag).
        boolean logprobs = false;
        if (has(root, "logprobs")) {
            if (!root.get("logprobs").isBoolean()) {
                throw ApiError.invalid("logprobs", "'logprobs' must be true or false");
            }
            logprobs = root.get("logprobs").asBoolean();
        }
        int top = has(root, "top_logprobs") ? intParam(root, "top_logprobs", 0, SamplingSettings.MAX_LOGPROBS) : 0;
        if (has(root, "top_logprobs") && !logprobs) {
            throw ApiError.invalid("top_logprobs", "'top_logprobs' needs 'logprobs': true");
        }
        if (has(root, "tools") || has(root, "functions")) {
            throw ApiError.invalid(has(root, "tools") ? "tools" : "functions", "tool and function calls are not supported");
        }
        String maxField = has(root, "max_completion_tokens") ? "max_completion_tokens" : "max_tokens";
        SamplingSettings sampling = sampling(root, maxField, logprobs ? top : -1);
        return new ChatRequest(messages, sampling.withStopTokenIds(List.of(chat.endId())));
    }

    /** One chat message: role system, user or assistant ("developer" is system) and text content. */
    private static Message message(JsonNode m, String where) {
        if (m == null || !m.isObject()) {
            throw ApiError.invalid(where, where + " must be an object with 'role' and 'content'");
        }
        JsonNode role = m.get("role");
        if (role == null || !role.isTextual()) {
            throw ApiError.invalid(where + ".role", where + ".role must be a string");
        }
        String r = role.asText();
        if (r.equals("developer")) {
            r = Message.SYSTEM;
        }
        if (!r.equals(Message.SYSTEM) && !r.equals(Message.USER) && !r.equals(Message.ASSISTANT)) {
            throw ApiError.invalid(where + ".role", "unknown role '" + role.asText()
                    + "' in " + where + ": roles are system, user and assistant");
        }
        JsonNode content = m.get("content");
        if (content == null || content.isNull()) {
            throw ApiError.invalid(where + ".content", where + ".content is required");
        }
        if (content.isTextual()) {
            return new Message(r, content.asText());
        }
        if (content.isArray()) {
            // Content parts: the text parts, in order.
            StringBuilder text = new StringBuilder();
            for (JsonNode part : content) {
                if (!part.isObject() || !"text".equals(part.path("type").asText()) || !part.path("text").isTextual()) {
                    throw ApiError.invalid(where + ".content", where + ".content parts must be {\"type\": \"text\", "
                            + "\"text\": ...} (no images or audio)");
                }
                text.append(part.get("text").asText());
            }
            return new Message(r, text.toString());
        }
        throw ApiError.invalid(where + ".content", where + ".content must be a string or a list of text parts");
    }

    /** The body as a JSON object naming this server's model. */
    private JsonNode requestObject(byte[] body) {
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
        return root;
    }

    /**
     * The sampling fields both APIs share, each left out taking its generate.* default.
     *
     * @param maxField the field giving the maximum length (chat: max_completion_tokens or max_tokens)
     * @param logprobs alternatives to report per token, -1 none
     */
    private SamplingSettings sampling(JsonNode root, String maxField, int logprobs) {
        if (has(root, "stream") && (!root.get("stream").isBoolean() || root.get("stream").asBoolean())) {
            throw ApiError.invalid("stream", "streaming is not supported");
        }
        if (has(root, "n") && intParam(root, "n", 1, Integer.MAX_VALUE) != 1) {
            throw ApiError.invalid("n", "only n = 1 is supported");
        }
        int maxTokens = has(root, maxField) ? intParam(root, maxField, 0, Integer.MAX_VALUE)
                : Math.min(defaults.maxTokens(), settings.maxTokensLimit());
        if (maxTokens > settings.maxTokensLimit()) {
            throw ApiError.invalid(maxField, maxField + " must be at most " + settings.maxTokensLimit()
                    + " (serve.max_tokens_limit), got " + maxTokens);
        }
        int minTokens = has(root, "min_tokens") ? intParam(root, "min_tokens", 0, Integer.MAX_VALUE)
                : Math.min(defaults.minTokens(), maxTokens);
        double temperature = has(root, "temperature") ? number(root, "temperature") : defaults.temperature();
        double topP = has(root, "top_p") ? number(root, "top_p") : defaults.topP();
        int topK = has(root, "top_k") ? intParam(root, "top_k", -1, Integer.MAX_VALUE) : defaults.topK();
        if (topK < 0) {
            topK = 0; // vLLM's "-1 = off"
        }
        double minP = has(root, "min_p") ? number(root, "min_p") : defaults.minP();
        double repetition = has(root, "repetition_penalty") ? number(root, "repetition_penalty") : defaults.repetitionPenalty();
        double frequency = has(root, "frequency_penalty") ? number(root, "frequency_penalty") : defaults.frequencyPenalty();
        double presence = has(root, "presence_penalty") ? number(root, "presence_penalty") : defaults.presencePenalty();
        Map<Integer, Double> bias = has(root, "logit_bias") ? logitBias(root.get("logit_bias")) : defaults.logitBias();
        RuleSet requestRules = defaults.rules();
        if (has(root, "rules")) {
            JsonNode r = root.get("rules");
            if (!r.isBoolean()) {
                throw ApiError.invalid("rules", "'rules' must be true or false");
            }
            if (r.asBoolean() && rules == null && defaults.rules() == null) {
                throw ApiError.invalid("rules", "this server has no rules file (generate.rules_file)");
            }
            requestRules = r.asBoolean() ? (defaults.rules() != null ? defaults.rules() : rules) : null;
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
        }
        try {
            return new SamplingSettings(maxTokens, minTokens, temperature, topK, topP, minP,
                    repetition, frequency, presence, bias, stop, seed, logprobs, requestRules);
        } catch (ConfigError e) {
            // The settings' own range checks, named by their key: the request field of the same name.
            String message = e.getMessage().replaceFirst("^" + SamplingSettings.SECTION + "\\.", "");
            String param = message.contains(":") ? message.substring(0, message.indexOf(':')) : null;
            throw ApiError.invalid(param, message);
        }
    }

    /** OpenAI's logit_bias: an object of token ids (as strings) to biases in [-100, 100]. */
    private Map<Integer, Double> logitBias(JsonNode node) {
        if (!node.isObject()) {
            throw ApiError.invalid("logit_bias", "'logit_bias' must be an object of token ids to numbers");
        }
        Map<Integer, Double> bias = new LinkedHashMap<>();
        var fields = node.fields();
        while (fields.hasNext()) {
            var e = fields.next();
            int id;
            try {
                id = Integer.parseInt(e.getKey());
            } catch (NumberFormatException x) {
                throw ApiError.invalid("logit_bias", "logit_bias keys must be token ids, got '" + e.getKey() + "'");
            }
            if (id < 0 || id >= vocabSize) {
                throw ApiError.invalid("logit_bias", "token id " + id + " is outside the vocabulary 0.." + (vocabSize - 1));
            }
            if (!e.getValue().isNumber()) {
                throw ApiError.invalid("logit_bias", "the bias of token " + id + " must be a number");
            }
            bias.put(id, e.getValue().asDouble());
        }
        return bias;
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

    private static double number(JsonNode root, String name) {
        JsonNode v = root.get(name);
        if (!v.isNumber()) {
            throw ApiError.invalid(name, "'" + name + "' must be a number");
        }
        return v.asDouble();
    }

    private ObjectNode completions(byte[] body) {
        Request request = parse(body);
        // Check every prompt's length first: a request is answered whole or refused whole.
        List<int[]> ids = new ArrayList<>();
        for (int i = 0; i < request.prompts().size(); i++) {
            int[] p = tokenizer.encode(request.prompts().get(i));
            if (p.length > contextLength) {
                throw ApiError.invalid("prompt", "context_length_exceeded", "prompt " + i + " has " + p.length
                        + " tokens; this model's context length is " + contextLength);
            }
            ids.add(p);
        }
        List<Completion> done = decode(ids, request.sampling());
        ObjectNode out = JSON.createObjectNode();
        out.put("id", "cmpl-" + Long.toHexString(created) + "-" + requestCounter.incrementAndGet());
        out.put("object", "text_completion");
        out.put("created", System.currentTimeMillis() / 1000);
        out.put("model", modelId);
        ArrayNode choices = out.putArray("choices");
        for (int i = 0; i < done.size(); i++) {
            Completion c = done.get(i);
            ObjectNode choice = choices.addObject();
            choice.put("text", c.text());
            choice.put("index", i);
            if (c.logprobs() == null) {
                choice.putNull("logprobs");
            } else {
                choice.set("logprobs", logprobs(c));
            }
            choice.put("finish_reason", c.finishReason().wire());
        }
        out.set("usage", usage(done));
        return out;
    }

    private ObjectNode chatCompletions(byte[] body) {
        ChatRequest request = parseChat(body);
        int[] prompt = chat.generationPrompt(request.messages());
        if (prompt.length > contextLength) {
            throw ApiError.invalid("messages", "context_length_exceeded", "the conversation has " + prompt.length
                    + " tokens with the chat template; this model's context length is " + contextLength);
        }
        Completion c = decode(List.of(prompt), request.sampling()).get(0);
        ObjectNode out = JSON.createObjectNode();
        out.put("id", "chatcmpl-" + Long.toHexString(created) + "-" + requestCounter.incrementAndGet());
        out.put("object", "chat.completion");
        out.put("created", System.currentTimeMillis() / 1000);
        out.put("model", modelId);
        ObjectNode choice = out.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", Message.ASSISTANT);
        message.put("content", ChatTemplate.responseText(c.text()));
        if (c.logprobs() == null) {
            choice.putNull("logprobs");
        } else {
            choice.set("logprobs", chatLogprobs(c));
        }
        choice.put("finish_reason", c.finishReason().wire());
        out.set("usage", usage(List.of(c)));
        return out;
    }

    private static ObjectNode usage(List<Completion> done) {
        long promptTokens = 0;
        long completionTokens = 0;
        for (Completion c : done) {
            promptTokens += c.promptTokens();
            completionTokens += c.completionTokens();
        }
        ObjectNode usage = JSON.createObjectNode();
        usage.put("prompt_tokens", promptTokens);
        usage.put("completion_tokens", completionTokens);
        usage.put("total_tokens", promptTokens + completionTokens);
        return usage;
    }

    /** Decodes prompts with the workers; each prompt's completion, in order. */
    private List<Completion> decode(List<int[]> ids, SamplingSettings sampling) {
        List<CompletableFuture<Completion>> pending = new ArrayList<>();
        for (int[] p : ids) {
            pending.add(workers.submit(p, sampling));
        }
        List<Completion> done = new ArrayList<>(ids.size());
        try {
            for (CompletableFuture<Completion> f : pending) {
                done.add(f.get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiError(503, "server_error", null, "shutting_down", "the server is stopping");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof RuntimeException r ? r : new IllegalStateException(String.valueOf(cause), cause);
        }
        return done;
    }

    /** The chat API's logprobs object: content [{token, logprob, bytes, top_logprobs [{token, logprob, bytes}]}]. */
    private ObjectNode chatLogprobs(Completion c) {
        ObjectNode lp = JSON.createObjectNode();
        ArrayNode content = lp.putArray("content");
        for (Completion.TokenLogprobs t : c.logprobs()) {
            ObjectNode entry = tokenLogprob(t.chosen());
            ArrayNode top = entry.putArray("top_logprobs");
            for (Completion.Alternative a : t.top()) {
                top.add(tokenLogprob(a));
            }
            content.add(entry);
        }
        lp.putNull("refusal");
        return lp;
    }

    private ObjectNode tokenLogprob(Completion.Alternative a) {
        ObjectNode o = JSON.createObjectNode();
        o.put("token", a.text());
        o.put("logprob", a.logprob());
        ArrayNode bytes = o.putArray("bytes");
        if (a.id() < tokenizer.vocabSize()) {
            for (byte b : tokenizer.tokenBytes(a.id())) {
                bytes.add(b & 0xff);
            }
        }
        return o;
    }

    /** The completions API's logprobs object: tokens, token_logprobs, top_logprobs and text_offset. */
    private ObjectNode logprobs(Completion c) {
        ObjectNode lp = JSON.createObjectNode();
        ArrayNode tokens = lp.putArray("tokens");
        ArrayNode tokenLogprobs = lp.putArray("token_logprobs");
        ArrayNode top = lp.putArray("top_logprobs");
        ArrayNode offsets = lp.putArray("text_offset");
        int[] ids = c.tokens();
        for (int i = 0; i < c.logprobs().size(); i++) {
            Completion.TokenLogprobs t = c.logprobs().get(i);
            tokens.add(t.chosen().text());
            tokenLogprobs.add(t.chosen().logprob());
            ObjectNode alternatives = top.addObject();
            for (Completion.Alternative a : t.top()) {
                if (!alternatives.has(a.text())) {
                    alternatives.put(a.text(), a.logprob());
                }
            }
            offsets.add(tokenizer.decode(java.util.Arrays.copyOf(ids, i)).length());
        }
        return lp;
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
