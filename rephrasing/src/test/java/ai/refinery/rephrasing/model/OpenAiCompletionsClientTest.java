package ai.refinery.rephrasing.model;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OpenAiCompletionsClientTest {
    private static List<String> upper(List<String> prompts) {
        return prompts.stream().map(String::toUpperCase).toList();
    }

    @Test
    void sendsBatchesAsPromptListsAndKeepsTheOrder() throws Exception {
        List<Integer> sizes = java.util.Collections.synchronizedList(new ArrayList<>());
        try (TestServer srv = new TestServer((n, req) -> {
            sizes.add(TestServer.prompts(req).size());
            assertEquals("m", req.get("model").asText());
            assertEquals(42, req.get("seed").asLong());
            assertEquals(16, req.get("max_tokens").asInt());
            return TestServer.ok(upper(TestServer.prompts(req)));
        })) {
            var client = new OpenAiCompletionsClient(Settings.of(srv.endpoint(), 5, 0, 2, 3));
            List<TextGenerator.Generated> out = client.generate(List.of("a", "b", "c", "d", "e", "f", "g"));
            assertEquals(List.of("A", "B", "C", "D", "E", "F", "G"), out.stream().map(TextGenerator.Generated::text).toList());
            assertEquals(List.of(3, 3, 1), sizes);
            assertEquals("stop", out.get(0).finishReason());
            assertEquals(1, out.get(6).attempts());
        }
    }

    @Test
    void aStalledServerTimesOutIsRetriedAndThenFails() throws Exception {
        try (TestServer srv = new TestServer((n, req) -> null)) {
            var client = new OpenAiCompletionsClient(Settings.of(srv.endpoint(), 1, 2, 2, 1));
            long t0 = System.nanoTime();
            List<TextGenerator.Generated> out = client.generate(List.of("x"));
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertEquals(1, out.size());
            assertTrue(out.get(0).failed());
            assertNull(out.get(0).text());
            assertTrue(out.get(0).error().startsWith("timeout after 1 s"), out.get(0).error());
            assertTrue(out.get(0).error().contains("gave up after 3 attempts"), out.get(0).error());
            assertEquals(3, out.get(0).attempts());
            assertEquals(3, srv.requests.get());
            assertTrue(seconds >= 3 && seconds < 8, "three 1 s timeouts and two short back-offs took " + seconds + " s");
        }
    }

    @Test
    void serverErrorsAndRateLimitsAreRetriedUntilTheyPass() throws Exception {
        try (TestServer srv = new TestServer((n, req) -> n == 1 ? TestServer.error(500, "boom")
                : n == 2 ? TestServer.error(429, "slow down") : TestServer.ok(upper(TestServer.prompts(req))))) {
            var client = new OpenAiCompletionsClient(Settings.of(srv.endpoint(), 5, 3, 2, 2));
            List<TextGenerator.Generated> out = client.generate(List.of("p", "q"));
            assertEquals(List.of("P", "Q"), out.stream().map(TextGenerator.Generated::text).toList());
            assertEquals(3, out.get(0).attempts());
            assertEquals(3, srv.requests.get());
        }
    }

    @Test
    void retriesRunOutIntoAFailureWithTheLastError() throws Exception {
        try (TestServer srv = new TestServer((n, req) -> TestServer.error(429, "rate limited"))) {
            var client = new OpenAiCompletionsClient(Settings.of(srv.endpoint(), 5, 2, 2, 4));
            List<TextGenerator.Generated> out = client.generate(List.of("p", "q"));
            assertEquals(2, out.size());
            for (TextGenerator.Generated g : out) {
                assertTrue(g.failed());
                assertEquals("HTTP 429: rate limited (gave up after 3 attempts)", g.error());
            }
            assertEquals(3, srv.requests.get());
        }
    }

    @Test
    void aRefusedBatchIsRetriedPromptByPromptSoOnlyTheBadOneFails() throws Exception {
        try (TestServer srv = new TestServer((n, req) -> TestServer.prompts(req).contains("bad")
                ? TestServer.error(400, "prompt too long") : TestServer.ok(upper(TestServer.prompts(req))))) {
            var client = new OpenAiCompletionsClient(Settings.of(srv.endpoint(), 5, 3, 2, 3));
            List<TextGenerator.Generated> out = client.generate(List.of("a", "bad", "c"));
            assertEquals("A", out.get(0).text());
            assertEquals("HTTP 400: prompt too long", out.get(1).error());
            assertEquals(1, out.get(1).attempts(), "a 400 is not retried");
            assertEquals("C", out.get(2).text());
            assertEquals(4, srv.requests.get(), "the batch, then its three prompts alone");
        }
    }

    @Test
    void inFlightRequestsStayWithinTheConcurrencyLimit() throws Exception {
        try (TestServer srv = new TestServer((n, req) -> {
            Thread.sleep(50);
            return TestServer.ok(TestServer.prompts(req));
        })) {
            // Two clients of one endpoint in one JVM share its limit of 2.
            var a = new OpenAiCompletionsClient(Settings.of(srv.endpoint(), 5, 0, 2, 1));
            var b = new OpenAiCompletionsClient(Settings.of(srv.endpoint(), 5, 0, 2, 1));
            List<CompletableFuture<List<TextGenerator.Generated>>> all = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                var c = i % 2 == 0 ? a : b;
                String p = "p" + i;
                all.add(CompletableFuture.supplyAsync(() -> c.generate(List.of(p))));
            }
            for (int i = 0; i < 8; i++) {
                assertEquals("p" + i, all.get(i).join().get(0).text());
            }
            assertEquals(2, srv.maxInFlight.get());
        }
    }

    @Test
    void backOffIsFullJitterUnderTheCap() {
        var client = new OpenAiCompletionsClient(Settings.of("http://127.0.0.1:9", 1, 5, 1, 1));
        for (int n = 0; n < 8; n++) {
            long ceiling = Math.min(200, 20L << n);
            long max = 0;
            for (int i = 0; i < 500; i++) {
                long d = client.backoff(n);
                assertTrue(d >= 0 && d <= ceiling, "attempt " + n + ": " + d);
                max = Math.max(max, d);
            }
            assertTrue(max > ceiling / 2, "draws spread over [0, " + ceiling + "]");
        }
    }
}
