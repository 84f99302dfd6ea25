package ai.refinery.training.serve;

import ai.refinery.training.decode.Completion;
import ai.refinery.training.generate.Generator;
import ai.refinery.training.generate.ModelBundle;
import ai.refinery.training.decode.SamplingSettings;
import ai.refinery.training.generate.TinyModel;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CompletionServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SamplingSettings DEFAULTS = new SamplingSettings(8, 1.0, 0, 1.0, 42, List.of());
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static ComputationGraph graph;
    private static CompletionServer server;

    @BeforeAll
    static void start() throws Exception {
        graph = TinyModel.graph(21);
        ModelBundle bundle = new ModelBundle(graph, TinyModel.tokenizer(), "tiny");
        ServeSettings s = new ServeSettings("127.0.0.1", 0, 2, 4, 8, 2048, 32, 4, "");
        server = CompletionServer.start(bundle, s, DEFAULTS);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static HttpResponse<String> post(CompletionServer srv, String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(srv.baseUri().resolve(path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String body) throws Exception {
        return post(server, "/v1/completions", body);
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(server.baseUri().resolve(path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body());
    }

    private static void assertError(HttpResponse<String> r, int status, String param, String code) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
        JsonNode e = json(r).get("error");
        assertTrue(e.get("message").asText().length() > 5, r.body());
        assertTrue(e.get("type").isTextual());
        assertEquals(param, e.get("param").isNull() ? null : e.get("param").asText(), r.body());
        assertEquals(code, e.get("code").isNull() ? null : e.get("code").asText(), r.body());
    }

    @Test
    void listsItsModelOnLoopback() throws Exception {
        assertTrue(server.baseUri().getHost().equals("127.0.0.1"));
        HttpResponse<String> r = get("/v1/models");
        assertEquals(200, r.statusCode());
        JsonNode m = json(r);
        assertEquals("list", m.get("object").asText());
        assertEquals("tiny", m.get("data").get(0).get("id").asText());
        assertEquals("model", m.get("data").get(0).get("object").asText());
        assertEquals(200, get("/v1/models/tiny").statusCode());
        assertError(get("/v1/models/other"), 404, "model", "model_not_found");
    }

    @Test
    void completesAStringPromptAsTheGeneratorDoes() throws Exception {
        HttpResponse<String> r = post("{\"model\":\"tiny\",\"prompt\":\"Hello\",\"max_tokens\":5,\"temperature\":0.9,"
                + "\"top_p\":0.95,\"seed\":7}");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode c = json(r);
        assertEquals("text_completion", c.get("object").asText());
        assertTrue(c.get("id").asText().startsWith("cmpl-"));
        assertEquals("tiny", c.get("model").asText());
        assertTrue(c.get("created").asLong() > 1_600_000_000L);
        Completion expected = new Generator(graph.clone(), TinyModel.tokenizer())
                .complete("Hello", new SamplingSettings(5, 0.9, 0, 0.95, 7, List.of()));
        JsonNode choice = c.get("choices").get(0);
        assertEquals(expected.text(), choice.get("text").asText());
        assertEquals(0, choice.get("index").asInt());
        assertEquals(expected.finishReason().wire(), choice.get("finish_reason").asText());
        assertEquals(5, c.get("usage").get("prompt_tokens").asInt());
        assertEquals(expected.completionTokens(), c.get("usage").get("completion_tokens").asInt());
        assertEquals(5 + expected.completionTokens(), c.get("usage").get("total_tokens").asInt());
        // Same request, same seed: same answer.
        assertEquals(choice.get("text"), json(post("{\"model\":\"tiny\",\"prompt\":\"Hello\",\"max_tokens\":5,"
                + "\"temperature\":0.9,\"top_p\":0.95,\"seed\":7}")).get("choices").get(0).get("text"));
    }

    @Test
    void aListOfPromptsGetsOneChoiceEachInOrder() throws Exception {
        JsonNode c = json(post("{\"model\":\"tiny\",\"prompt\":[\"ab\",\"abc\",\"ab\"],\"max_tokens\":3,\"seed\":1,\"stop\":null}"));
        JsonNode ch = c.get("choices");
        assertEquals(3, ch.size());
        for (int i = 0; i < 3; i++) {
            assertEquals(i, ch.get(i).get("index").asInt());
        }
        // A prompt's answer does not depend on its neighbours in the list.
        assertEquals(ch.get(0).get("text"), ch.get(2).get("text"));
        assertEquals(2 + 3 + 2, c.get("usage").get("prompt_tokens").asInt());
    }

    @Test
    void badRequestsGetAnOpenAiStyleErrorAndTheServerKeepsAnswering() throws Exception {
        assertError(post("{\"model\":\"tiny\",\"prompt\":\"x\""), 400, null, "invalid_json");
        assertError(post("[1,2]"), 400, null, "invalid_json");
        assertError(post(""), 400, null, "invalid_json");
        assertError(post("{\"model\":\"tiny\",\"prompt\":42}"), 400, "prompt", null);
        assertError(post("{\"model\":\"tiny\",\"prompt\":[\"a\",3]}"), 400, "prompt", null);
        assertError(post("{\"model\":\"tiny\",\"prompt\":[]}"), 400, "prompt", null);
        assertError(post("{\"model\":\"tiny\",\"prompt\":[\"a\",\"b\",\"c\",\"d\",\"e\"]}"), 400, "prompt", null);
        assertError(post("{\"model\":\"tiny\"}"), 400, "prompt", null);
        assertError(post("{\"prompt\":\"x\"}"), 400, "model", null);
        assertError(post("{\"model\":\"gpt-9\",\"prompt\":\"x\"}"), 404, "model", "model_not_found");
        assertError(post("{\"model\":\"tiny\",\"prompt\":\"x\",\"max_tokens\":\"10\"}"), 400, "max_tokens", null);
        assertError(post("{\"model\":\"tiny\",\"prompt\":\"x\",\"max_tokens\":33}"), 400, "max_tokens", null);
        assertError(post("{\"model\":\"tiny\",\"prompt\":\"x\",\"max_tokens\":-1}"), 400, "max_tokens", null);
        assertError(post("{\"model\":\"tiny\",\"prompt\":\"x\",\"temperature\":2.5}"), 400, "temperature", null);
        assertError(post("{\"model\":\"tiny\",\"prompt\":\"x\",\"top_p\":0}"), 400, "top_p", null);
        assertError(post("{\"model\":\"tiny\",\"prompt\":\"x\",\"n\":2}"), 400, "n", null);
        assertError(post("{\"model\":\"tiny\",\"prompt\":\"x\",\"seed\":1.5}"), 400, "seed", null);
        assertError(post("{\"model\":\"tiny\",\"prompt\":\"x\",\"stop\":[\"a\",\"b\",\"c\",\"d\",\"e\"]}"), 400, "stop", null);
        assertError(post("{\"model\":\"tiny\",\"prompt\":\"x\",\"stream\":true}"), 400, "stream", null);
        // 17 tokens against a context of 16.
        assertError(post("{\"model\":\"tiny\",\"prompt\":\"abcdefghijklmnopq\"}"), 400, "prompt", "context_length_exceeded");
        // A body over serve.max_request_bytes (2048).
        assertError(post("{\"model\":\"tiny\",\"prompt\":\"" + "y".repeat(2100) + "\"}"), 413, null, "request_too_large");
        assertError(get("/v1/completions"), 405, null, "method_not_allowed");
        assertError(get("/v2/whatever"), 404, null, "not_found");

        // Exactly 16 tokens and exactly max_tokens_limit are fine.
        HttpResponse<String> ok = post("{\"model\":\"tiny\",\"prompt\":\"abcdefghijklmnop\",\"max_tokens\":32,\"n\":1}");
        assertEquals(200, ok.statusCode(), ok.body());
        assertEquals(16, json(ok).get("usage").get("prompt_tokens").asInt());
    }

    @Test
    void logprobsLogitBiasAndTheOtherSamplingFields() throws Exception {
        int a = ai.refinery.training.tokenizer.SpecialTokens.FIRST_BYTE_ID + 'a';
        HttpResponse<String> r = post("{\"model\":\"tiny\",\"prompt\":\"Hi\",\"max_tokens\":4,\"temperature\":0,"
                + "\"logprobs\":3,\"logit_bias\":{\"" + a + "\":100},\"min_tokens\":4,\"frequency_penalty\":0.5,"
                + "\"presence_penalty\":-0.5,\"repetition_penalty\":1.0,\"min_p\":0.0}");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode choice = json(r).get("choices").get(0);
        assertEquals("aaaa", choice.get("text").asText());
        JsonNode lp = choice.get("logprobs");
        assertEquals(4, lp.get("tokens").size());
        assertEquals("a", lp.get("tokens").get(0).asText());
        assertEquals(4, lp.get("token_logprobs").size());
        assertTrue(lp.get("token_logprobs").get(0).asDouble() < 0);
        assertEquals(3, lp.get("top_logprobs").get(0).size());
        assertEquals(List.of(0, 1, 2, 3), List.of(lp.get("text_offset").get(0).asInt(), lp.get("text_offset").get(1).asInt(),
                lp.get("text_offset").get(2).asInt(), lp.get("text_offset").get(3).asInt()));
        // Without logprobs: null, as before.
        assertTrue(json(post("{\"model\":\"tiny\",\"prompt\":\"Hi\",\"max_tokens\":2}")).get("choices").get(0)
                .get("logprobs").isNull());
        // The rules need a rules file: this server was started without one.
        assertError(post("{\"model\":\"tiny\",\"prompt\":\"x\",\"rules\":true}"), 400, "rules", null);
        assertEquals(200, post("{\"model\":\"tiny\",\"prompt\":\"x\",\"rules\":false}").statusCode());
    }

    @Test
    void badSamplingFieldsAre400sNamingTheField() throws Exception {
        String[][] bad = {
                {"\"logprobs\":21", "logprobs"}, {"\"logprobs\":\"3\"", "logprobs"},
                {"\"logit_bias\":{\"abc\":1}", "logit_bias"}, {"\"logit_bias\":{\"99999\":1}", "logit_bias"},
                {"\"logit_bias\":{\"5\":101}", "logit_bias"}, {"\"logit_bias\":[1]", "logit_bias"},
                {"\"min_p\":1.5", "min_p"}, {"\"min_tokens\":9", "min_tokens"},
                {"\"frequency_penalty\":3", "frequency_penalty"}, {"\"presence_penalty\":-2.5", "presence_penalty"},
                {"\"repetition_penalty\":0", "repetition_penalty"}, {"\"rules\":\"yes\"", "rules"},
                {"\"echo\":true", "echo"}, {"\"top_p\":1.5", "top_p"}, {"\"stop\":[\"\"]", "stop"}};
        for (String[] b : bad) {
            assertError(post("{\"model\":\"tiny\",\"prompt\":\"x\",\"max_tokens\":8," + b[0] + "}"), 400, b[1], null);
        }
    }

    @Test
    void aFailedGenerationIsA500AndTheServerRecovers() throws Exception {
        ComputationGraph g = TinyModel.graph(5);
        // The embedding of 'z' is broken (NaN): any sequence holding a 'z' has no usable logits, and its
        // decoding fails; other prompts decode fine.
        INDArray emb = g.getLayer("tok_emb").getParam("W");
        emb.getRow(ai.refinery.training.tokenizer.SpecialTokens.FIRST_BYTE_ID + 'z').assign(Double.NaN);
        try (CompletionServer one = CompletionServer.start(new ModelBundle(g, TinyModel.tokenizer(), "tiny"),
                new ServeSettings("127.0.0.1", 0, 1, 4, 4, 4096, 16, 4, "broken"), DEFAULTS)) {
            HttpResponse<String> r = post(one, "/v1/completions", "{\"model\":\"broken\",\"prompt\":\"xz\"}");
            assertError(r, 500, null, null);
            assertTrue(json(r).get("error").get("message").asText().startsWith("generation failed"));
            assertEquals(200, post(one, "/v1/completions",
                    "{\"model\":\"broken\",\"prompt\":\"x\",\"max_tokens\":1}").statusCode());
        }
    }

    @Test
    void aFullQueueIsAnswered503AtOnceAndNothingIsLost() throws Exception {
        try (CompletionServer one = CompletionServer.start(new ModelBundle(TinyModel.graph(3), TinyModel.tokenizer(), "t"),
                new ServeSettings("127.0.0.1", 0, 1, 1, 1, 4096, 16, 4, ""), DEFAULTS)) {
            List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                all.add(HTTP.sendAsync(HttpRequest.newBuilder(one.baseUri().resolve("/v1/completions"))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"t\",\"prompt\":\"abc\",\"max_tokens\":12}"))
                        .build(), HttpResponse.BodyHandlers.ofString()));
            }
            int ok = 0;
            for (CompletableFuture<HttpResponse<String>> f : all) {
                HttpResponse<String> r = f.get();
                if (r.statusCode() == 200) {
                    ok++;
                } else {
                    assertError(r, 503, null, "overloaded");
                }
            }
            assertTrue(ok >= 1);
            assertEquals(200, post(one, "/v1/completions", "{\"model\":\"t\",\"prompt\":\"abc\"}").statusCode());
        }
    }
}
