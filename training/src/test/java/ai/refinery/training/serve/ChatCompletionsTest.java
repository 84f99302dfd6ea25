package ai.refinery.training.serve;

import ai.refinery.core.sft.Message;
import ai.refinery.training.decode.Completion;
import ai.refinery.training.decode.SamplingSettings;
import ai.refinery.training.generate.Generator;
import ai.refinery.training.generate.ModelBundle;
import ai.refinery.training.model.GptModel;
import ai.refinery.training.model.ModelSettings;
import ai.refinery.training.tokenizer.ChatTemplate;
import ai.refinery.training.tokenizer.BpeTokenizer;
import ai.refinery.training.tokenizer.SpecialTokens;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** POST /v1/chat/completions on a real server on loopback over a small random model. */
class ChatCompletionsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final int CONTEXT = 48;
    private static final SamplingSettings DEFAULTS = new SamplingSettings(8, 1.0, 0, 1.0, 42, List.of());
    private static final List<Message> CONVERSATION = List.of(Message.system("Be brief."), Message.user("Hi"),
            Message.assistant("Hello."), Message.user("Name a colour"));
    private static final String CONVERSATION_JSON = "[{\"role\":\"system\",\"content\":\"Be brief.\"},"
            + "{\"role\":\"user\",\"content\":\"Hi\"},{\"role\":\"assistant\",\"content\":\"Hello.\"},"
            + "{\"role\":\"user\",\"content\":\"Name a colour\"}]";
    private static BpeTokenizer tok;
    private static ComputationGraph graph;
    private static CompletionServer server;

    @BeforeAll
    static void start() throws Exception {
        tok = BpeTokenizer.fromMerges(List.of());
        graph = GptModel.build(new ModelSettings(tok.vocabSize(), CONTEXT, 16, 1, 2, 2, 0),
                GptModel.Optimization.none(), DataType.FLOAT, 29);
        server = CompletionServer.start(new ModelBundle(graph, tok, "chat"),
                new ServeSettings("127.0.0.1", 0, 2, 4, 8, 4096, 24, 4, ""), DEFAULTS);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static HttpResponse<String> post(String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(server.baseUri().resolve("/v1/chat/completions"))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode ok(String body) throws Exception {
        HttpResponse<String> r = post(body);
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    private static void assertError(HttpResponse<String> r, int status, String param, String code) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        JsonNode e = JSON.readTree(r.body()).get("error");
        assertTrue(e.get("message").asText().length() > 5, r.body());
        assertEquals("invalid_request_error", e.get("type").asText(), r.body());
        assertEquals(param, e.get("param").isNull() ? null : e.get("param").asText(), r.body());
        assertEquals(code, e.get("code").isNull() ? null : e.get("code").asText(), r.body());
    }

    /**
     * The template's ids written out by hand for the byte-level vocabulary: marker, a space and the bytes, end;
     * then assistant.
     */
    private static int[] handTemplate(List<Message> conversation) {
        List<Integer> ids = new ArrayList<>();
        for (Message m : conversation) {
            ids.add(switch (m.role()) {
                case "system" -> SpecialTokens.SYSTEM_ID;
                case "user" -> SpecialTokens.USER_ID;
                default -> SpecialTokens.ASSISTANT_ID;
            });
            for (byte b : (" " + m.content()).getBytes(StandardCharsets.UTF_8)) {
                ids.add(SpecialTokens.FIRST_BYTE_ID + (b & 0xff));
            }
            ids.add(SpecialTokens.END_ID);
        }
        ids.add(SpecialTokens.ASSISTANT_ID);
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    @Test
    void theAnswerIsTheModelsContinuationOfTheChatTemplatesPrompt() throws Exception {
        Generator g = new Generator(graph.clone(), tok);
        int[] prompt = g.chatTemplate().generationPrompt(CONVERSATION);
        assertArrayEquals(handTemplate(CONVERSATION), prompt);

        JsonNode c = ok("{\"model\":\"chat\",\"messages\":" + CONVERSATION_JSON + ",\"max_tokens\":6,"
                + "\"temperature\":1.0,\"top_p\":1.0,\"seed\":5,\"logprobs\":true,\"top_logprobs\":2}");
        assertEquals("chat.completion", c.get("object").asText());
        assertTrue(c.get("id").asText().startsWith("chatcmpl-"));
        assertEquals("chat", c.get("model").asText());
        JsonNode choice = c.get("choices").get(0);
        assertEquals(0, choice.get("index").asInt());
        assertEquals("assistant", choice.get("message").get("role").asText());

        // Sampled with the same seed from the template's ids: the same tokens and the same log-probabilities,
        // which no other prompt would give.
        SamplingSettings s = new SamplingSettings(6, 1.0, 0, 1.0, 5, List.of()).withLogprobs(2);
        Completion expected = g.complete(prompt, g.forChat(s));
        assertEquals(ChatTemplate.responseText(expected.text()), choice.get("message").get("content").asText());
        assertEquals(expected.finishReason().wire(), choice.get("finish_reason").asText());
        assertEquals(prompt.length, c.get("usage").get("prompt_tokens").asInt());
        assertEquals(expected.completionTokens(), c.get("usage").get("completion_tokens").asInt());
        assertEquals(prompt.length + expected.completionTokens(), c.get("usage").get("total_tokens").asInt());
        JsonNode content = choice.get("logprobs").get("content");
        assertEquals(expected.completionTokens(), content.size());
        for (int i = 0; i < content.size(); i++) {
            Completion.TokenLogprobs t = expected.logprobs().get(i);
            assertEquals(t.chosen().logprob(), content.get(i).get("logprob").asDouble(), 1e-12);
            assertEquals(t.chosen().text(), content.get(i).get("token").asText());
            assertEquals(2, content.get(i).get("top_logprobs").size());
            byte[] bytes = tok.tokenBytes(t.chosen().id());
            assertEquals(bytes.length, content.get(i).get("bytes").size());
            assertEquals(bytes[0] & 0xff, content.get(i).get("bytes").get(0).asInt());
        }
        // The same generator's chat path agrees, and a text-part content is the same message.
        assertEquals(expected.text(), g.completeChats(List.of(CONVERSATION), s).get(0).text());
        String parts = CONVERSATION_JSON.replace("\"content\":\"Name a colour\"",
                "\"content\":[{\"type\":\"text\",\"text\":\"Name a \"},{\"type\":\"text\",\"text\":\"colour\"}]");
        assertEquals(choice.get("message"), ok("{\"model\":\"chat\",\"messages\":" + parts + ",\"max_tokens\":6,"
                + "\"temperature\":1.0,\"top_p\":1.0,\"seed\":5}").get("choices").get(0).get("message"));
        assertTrue(ok("{\"model\":\"chat\",\"messages\":" + CONVERSATION_JSON + "}").get("choices").get(0)
                .get("logprobs").isNull());
    }

    @Test
    void endOfTurnStopsTheAnswerWithFinishReasonStop() throws Exception {
        String end = String.valueOf(SpecialTokens.END_ID);
        // <|end|> made certain, held back for three tokens: three tokens, then the turn ends.
        JsonNode stopped = ok("{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],"
                + "\"temperature\":0,\"max_tokens\":10,\"min_tokens\":3,\"logit_bias\":{\"" + end + "\":100}}");
        assertEquals("stop", stopped.get("choices").get(0).get("finish_reason").asText());
        assertEquals(3, stopped.get("usage").get("completion_tokens").asInt());
        // <|end|> ruled out: the answer runs to max_completion_tokens.
        JsonNode full = ok("{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],"
                + "\"temperature\":0,\"max_completion_tokens\":5,\"logit_bias\":{\"" + end + "\":-100,\"0\":-100}}");
        assertEquals("length", full.get("choices").get(0).get("finish_reason").asText());
        assertEquals(5, full.get("usage").get("completion_tokens").asInt());
        // The plain completions API does not stop at <|end|>: it is an ordinary token there.
        HttpResponse<String> plain = HTTP.send(HttpRequest.newBuilder(server.baseUri().resolve("/v1/completions"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"chat\",\"prompt\":\"Hi\",\"temperature\":0,"
                        + "\"max_tokens\":4,\"logit_bias\":{\"" + end + "\":100}}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, plain.statusCode(), plain.body());
        JsonNode p = JSON.readTree(plain.body());
        assertEquals("length", p.get("choices").get(0).get("finish_reason").asText());
        assertEquals(4, p.get("usage").get("completion_tokens").asInt());
        // Marker text inside a message is text, not a marker: 1 + a space and 7 bytes + 1, then <|assistant|>.
        JsonNode marker = ok("{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"<|end|>\"}],\"max_tokens\":1}");
        assertEquals(11, marker.get("usage").get("prompt_tokens").asInt());
    }

    @Test
    void badChatRequestsAre400sNamingTheField() throws Exception {
        String user = "{\"role\":\"user\",\"content\":\"Hi\"}";
        String[][] bad = {
                {"\"messages\":[" + user + ",{\"role\":\"tool\",\"content\":\"x\"}]", "messages.[1].role"},
                {"\"messages\":[{\"content\":\"x\"}]", "messages.[0].role"},
                {"\"messages\":[{\"role\":\"user\",\"content\":3}]", "messages.[0].content"},
                {"\"messages\":[{\"role\":\"user\"}]", "messages.[0].content"},
                {"\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\"}]}]", "messages.[0].content"},
                {"\"messages\":[\"hi\"]", "messages.[0]"},
                {"\"messages\":[]", "messages"},
                {"\"messages\":\"Hi\"", "messages"},
                {"\"prompt\":\"Hi\"", "messages"},
                {"\"messages\":[" + user + "],\"logprobs\":3", "logprobs"},
                {"\"messages\":[" + user + "],\"top_logprobs\":2", "top_logprobs"},
                {"\"messages\":[" + user + "],\"logprobs\":true,\"top_logprobs\":21", "top_logprobs"},
                {"\"messages\":[" + user + "],\"n\":2", "n"},
                {"\"messages\":[" + user + "],\"stream\":true", "stream"},
                {"\"messages\":[" + user + "],\"temperature\":3", "temperature"},
                {"\"messages\":[" + user + "],\"min_p\":2", "min_p"},
                {"\"messages\":[" + user + "],\"logit_bias\":{\"99999\":1}", "logit_bias"},
                {"\"messages\":[" + user + "],\"max_completion_tokens\":25", "max_completion_tokens"},
                {"\"messages\":[" + user + "],\"max_tokens\":25", "max_tokens"},
                {"\"messages\":[" + user + "],\"rules\":true", "rules"},
                {"\"messages\":[" + user + "],\"tools\":[]", "tools"},
        };
        for (String[] b : bad) {
            assertError(post("{\"model\":\"chat\"," + b[0] + "}"), 400, b[1], null);
        }
        assertError(post("{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"" + "y".repeat(CONTEXT)
                + "\"}]}"), 400, "messages", "context_length_exceeded");
        assertError(post("{\"model\":\"chat\""), 400, null, "invalid_json");
        assertError(post("{\"model\":\"gpt-9\",\"messages\":[" + user + "]}"), 404, "model", "model_not_found");
        HttpResponse<String> get = HTTP.send(HttpRequest.newBuilder(server.baseUri().resolve("/v1/chat/completions"))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertError(get, 405, null, "method_not_allowed");
        // The server still answers.
        assertEquals(200, post("{\"model\":\"chat\",\"messages\":[" + user + "],\"max_tokens\":2}").statusCode());
    }
}
