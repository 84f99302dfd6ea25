package ai.refinery.rephrasing.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/** A real HTTP server on an ephemeral loopback port whose answers a test scripts. */
final class TestServer implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    /** What to answer to one parsed request; {@code n} counts requests from 1. */
    interface Behaviour {
        Answer answer(int n, JsonNode request) throws Exception;
    }

    record Answer(int status, String body) {
    }

    final HttpServer server;
    final AtomicInteger requests = new AtomicInteger();
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger maxInFlight = new AtomicInteger();
    final CountDownLatch released = new CountDownLatch(1);
    private final ExecutorService pool = Executors.newCachedThreadPool();

    TestServer(Behaviour behaviour) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.createContext("/v1/completions", ex -> handle(ex, behaviour));
        server.setExecutor(pool);
        server.start();
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange ex, Behaviour behaviour) throws IOException {
        int now = inFlight.incrementAndGet();
        maxInFlight.accumulateAndGet(now, Math::max);
        try (ex) {
            JsonNode req = JSON.readTree(ex.getRequestBody().readAllBytes());
            Answer a = behaviour.answer(requests.incrementAndGet(), req);
            if (a == null) {
                released.await(); // stall: never answer while the test runs
                return;
            }
            byte[] b = a.body().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(a.status(), b.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(b);
            }
        } catch (Exception e) {
            // the client gave up on a stalled request
        } finally {
            inFlight.decrementAndGet();
        }
    }

    /** The prompts of a request, whether it sent one string or a list. */
    static List<String> prompts(JsonNode req) {
        JsonNode p = req.get("prompt");
        if (p.isTextual()) {
            return List.of(p.asText());
        }
        List<String> out = new java.util.ArrayList<>();
        p.forEach(x -> out.add(x.asText()));
        return out;
    }

    /** A completions answer with one choice per text. */
    static Answer ok(List<String> texts) {
        var root = JSON.createObjectNode();
        root.put("object", "text_completion");
        var choices = root.putArray("choices");
        for (int i = 0; i < texts.size(); i++) {
            var c = choices.addObject();
            c.put("text", texts.get(i));
            c.put("index", i);
            c.put("finish_reason", "stop");
        }
        return new Answer(200, root.toString());
    }

    static Answer error(int status, String message) {
        return new Answer(status, "{\"error\":{\"message\":\"" + message + "\",\"type\":\"x\",\"param\":null,\"code\":null}}");
    }

    @Override
    public void close() {
        released.countDown();
        server.stop(0);
        pool.shutdownNow();
    }
}
