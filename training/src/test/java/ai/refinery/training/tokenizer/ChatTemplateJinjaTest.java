package ai.refinery.training.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.refinery.core.sft.Message;
import ai.refinery.core.sft.SftSettings.TrainOn;
import ai.refinery.training.Conversations;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.tag.Tag;
import com.hubspot.jinjava.tree.Node;
import com.hubspot.jinjava.tree.TagNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The chat_template of tokenizer_config.json, rendered by an independent Jinja engine (Jinjava, configured as
 * transformers configures Jinja: trim_blocks, lstrip_blocks) and tokenised by two independent paths (our
 * tokenizer with special tokens matched in the text, and the Hugging Face tokenizers library loading the same
 * tokenizer.json) gives exactly ChatTemplate's ids; its {% generation %} spans give exactly ChatTemplate's targets.
 */
class ChatTemplateJinjaTest {
    /** Private-use characters marking the generation spans in the rendered text; no conversation holds them. */
    private static final String OPEN = "\uE000";
    private static final String CLOSE = "\uE001";

    /** transformers' {% generation %}: here it wraps its body in the two marks. */
    private static final class GenerationTag implements Tag {
        @Override
        public String getName() {
            return "generation";
        }

        @Override
        public String interpret(TagNode tagNode, JinjavaInterpreter interpreter) {
            StringBuilder body = new StringBuilder(OPEN);
            for (Node child : tagNode.getChildren()) {
                body.append(child.render(interpreter).getValue());
            }
            return body.append(CLOSE).toString();
        }
    }

    private static String render(String template, List<Message> conversation, boolean generationPrompt) {
        Jinjava jinja = new Jinjava(JinjavaConfig.newBuilder().withTrimBlocks(true).withLstripBlocks(true).build());
        jinja.getGlobalContext().registerTag(new GenerationTag());
        List<Map<String, String>> messages = new ArrayList<>();
        for (Message m : conversation) {
            messages.add(Map.of("role", m.role(), "content", m.content()));
        }
        return jinja.render(template, Map.of("messages", messages, "add_generation_prompt", generationPrompt));
    }

    @Test
    void theJinjaTemplateGivesTheSameIdsAndTargets(@TempDir Path dir) throws Exception {
        BpeTokenizer tok = Conversations.tokenizer();
        Path file = dir.resolve("tokenizer.json");
        tok.save(file);
        Files.writeString(dir.resolve(BpeTokenizer.CONFIG_FILE), tok.configJson());
        String template = new ObjectMapper().readTree(Files.readString(dir.resolve(BpeTokenizer.CONFIG_FILE)))
                .get("chat_template").asText();
        assertEquals(ChatTemplate.JINJA, template);
        ChatTemplate ours = new ChatTemplate(tok);

        try (HuggingFaceTokenizer reference = HuggingFaceTokenizer.builder().optTokenizerPath(file)
                .optAddSpecialTokens(false).optTruncation(false).optPadding(false).build()) {
            for (List<Message> conversation : Conversations.EXAMPLES) {
                ChatTemplate.Rendered expected = ours.render(conversation, TrainOn.ALL_ASSISTANT_TURNS);
                String marked = render(template, conversation, false);

                // Tokenise span by span: the marks sit next to special tokens, where tokenisation splits anyway.
                List<Integer> ids = new ArrayList<>();
                List<Integer> targets = new ArrayList<>();
                boolean inside = false;
                for (String piece : marked.split("(?=[" + OPEN + CLOSE + "])|(?<=[" + OPEN + CLOSE + "])")) {
                    if (piece.equals(OPEN) || piece.equals(CLOSE)) {
                        inside = piece.equals(OPEN);
                        continue;
                    }
                    for (int id : tok.encode(piece)) {
                        ids.add(id);
                        targets.add(inside ? 1 : 0);
                    }
                }
                assertArrayEquals(expected.tokens(), ids.stream().mapToInt(Integer::intValue).toArray(),
                        () -> "ids differ on " + marked);
                byte[] mask = new byte[targets.size()];
                for (int i = 0; i < mask.length; i++) {
                    mask[i] = targets.get(i).byteValue();
                }
                assertArrayEquals(expected.targets(), mask, () -> "targets differ on " + marked);

                String text = marked.replace(OPEN, "").replace(CLOSE, "");
                int[] theirs = Arrays.stream(reference.encode(text).getIds()).mapToInt(Math::toIntExact).toArray();
                assertArrayEquals(expected.tokens(), theirs, () -> "the tokenizers library differs on " + text);
            }
            List<Message> question = List.of(Message.user("What is the capital of France?"));
            String prompt = render(template, question, true);
            assertArrayEquals(ours.generationPrompt(question), tok.encode(prompt));
        }
    }
}
