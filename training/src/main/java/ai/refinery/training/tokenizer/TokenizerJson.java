package ai.refinery.training.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes the Hugging Face tokenizers file format (tokenizer.json): a BPE model with its vocab and
 * merges, the ByteLevel pre-tokenizer and decoder, and the added (special) tokens. Any loader of that format
 * (the Python or Rust tokenizers library, transformers' fast tokenizers, DJL) reads what this writes. The chat
 * template does not go there (the tokenizers library refuses unknown top-level keys) but into
 * tokenizer_config.json, see {@link #configJson}.
 * Reading accepts byte-level BPE files only: other models or pre-tokenizers would encode differently.
 */
final class TokenizerJson {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private TokenizerJson() {
    }

    static void write(BpeTokenizer tok, Path path) throws IOException {
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(path, toJson(tok), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The tokenizer.json text (for writing through any file system). */
    static String toJson(BpeTokenizer tok) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (BpeTokenizer.AddedToken t : tok.addedTokens()) {
            ObjectNode a = added.addObject();
            a.put("id", t.id());
            a.put("content", t.content());
            a.put("single_word", false);
            a.put("lstrip", false);
            a.put("rstrip", false);
            a.put("normalized", false);
            a.put("special", t.special());
        }
        root.putNull("normalizer");
        root.set("pre_tokenizer", byteLevel(false, true));
        root.putNull("post_processor");
        root.set("decoder", byteLevel(true, true));
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        ObjectNode vocab = model.putObject("vocab");
        for (int id = 0; id < tok.vocabSize(); id++) {
            String s = tok.token(id);
            if (s != null && tok.vocab().get(s) != null && tok.vocab().get(s) == id) {
                vocab.put(s, id);
            }
        }
        // "a b" strings: byte-level tokens never contain a space (it is mapped to 'Ġ'), so this older form
        // is unambiguous and read by every version of the library.
        ArrayNode merges = model.putArray("merges");
        for (String[] m : tok.merges()) {
            merges.add(m[0] + " " + m[1]);
        }
        return JSON.writeValueAsString(root);
    }

    /**
     * The tokenizer_config.json text that transformers reads beside tokenizer.json
     * ({@code AutoTokenizer.from_pretrained(folder)}): the fast-tokenizer class, the end-of-text and padding tokens
     * and, when the tokenizer has the chat markers, {@link ChatTemplate#JINJA} as {@code chat_template}, so that
     * {@code apply_chat_template} formats a conversation to the ids {@link ChatTemplate} gives.
     */
    static String configJson(BpeTokenizer tok) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("tokenizer_class", "PreTrainedTokenizerFast");
        root.put("clean_up_tokenization_spaces", false);
        root.putNull("bos_token");
        root.put("eos_token", SpecialTokens.END_OF_TEXT);
        root.put("pad_token", SpecialTokens.PAD);
        root.putNull("unk_token");
        if (ChatTemplate.supports(tok)) {
            root.put("chat_template", ChatTemplate.JINJA);
        }
        return JSON.writeValueAsString(root);
    }

    private static ObjectNode byteLevel(boolean addPrefixSpace, boolean trimOffsets) {
        ObjectNode n = JSON.createObjectNode();
        n.put("type", "ByteLevel");
        n.put("add_prefix_space", addPrefixSpace);
        n.put("trim_offsets", trimOffsets);
        n.put("use_regex", true);
        return n;
    }

    static BpeTokenizer read(Path path) throws IOException {
        return fromJson(Files.readString(path, java.nio.charset.StandardCharsets.UTF_8), path.toString());
    }

    /** @param origin where the text came from, for error messages */
    static BpeTokenizer fromJson(String json, String origin) throws IOException {
        JsonNode root = JSON.readTree(json);
        JsonNode model = root.path("model");
        if (!"BPE".equals(model.path("type").asText("BPE")) || !model.has("vocab") || !model.has("merges")) {
            throw unsupported(origin, "model is not BPE with vocab and merges");
        }
        checkByteLevelPreTokenizer(origin, root.path("pre_tokenizer"));
        if (!root.path("normalizer").isNull() && !root.path("normalizer").isMissingNode()) {
            throw unsupported(origin, "a normalizer is set");
        }
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = model.get("vocab").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            vocab.put(e.getKey(), e.getValue().asInt());
        }
        List<String[]> merges = new ArrayList<>();
        for (JsonNode m : model.get("merges")) {
            if (m.isArray() && m.size() == 2) {
                merges.add(new String[] {m.get(0).asText(), m.get(1).asText()});
            } else if (m.isTextual() && m.asText().indexOf(' ') > 0) {
                String s = m.asText();
                int sp = s.indexOf(' ');
                merges.add(new String[] {s.substring(0, sp), s.substring(sp + 1)});
            } else {
                throw unsupported(origin, "unreadable merge " + m);
            }
        }
        List<BpeTokenizer.AddedToken> added = new ArrayList<>();
        for (JsonNode a : root.path("added_tokens")) {
            added.add(new BpeTokenizer.AddedToken(a.path("id").asInt(), a.path("content").asText(),
                    a.path("special").asBoolean(false)));
        }
        try {
            return new BpeTokenizer(vocab, merges, added);
        } catch (IllegalArgumentException e) {
            throw unsupported(origin, e.getMessage());
        }
    }

    private static void checkByteLevelPreTokenizer(String origin, JsonNode pre) throws IOException {
        if (!"ByteLevel".equals(pre.path("type").asText())) {
            throw unsupported(origin, "pre_tokenizer is not ByteLevel");
        }
        if (pre.path("add_prefix_space").asBoolean(false) || !pre.path("use_regex").asBoolean(true)) {
            throw unsupported(origin, "ByteLevel pre_tokenizer must have add_prefix_space=false and use_regex=true");
        }
    }

    private static IOException unsupported(String origin, String why) {
        return new IOException(origin + ": not a supported byte-level BPE tokenizer.json: " + why);
    }
}
