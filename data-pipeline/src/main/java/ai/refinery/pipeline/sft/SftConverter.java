package ai.refinery.pipeline.sft;

import ai.refinery.core.sft.ConversationCheck;
import ai.refinery.core.sft.Message;
import ai.refinery.core.sft.SftFormat;
import ai.refinery.core.sft.SftRejectReasons;
import ai.refinery.core.sft.SftRow;
import ai.refinery.pipeline.doc.DocumentIds;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Converts one instruction-data record (a JSON object: a JSONL line, or a Parquet row as JSON) into the SFT
 * row contract, or rejects it with a reason. Plain Java: the Spark layer ({@link SftRows}) only distributes it.
 *
 * <ul>
 *   <li>{@code id}: the record's own {@code id} when it is a non-empty scalar (rephrase qa's rows keep theirs),
 *   otherwise a hash of the row's source and its conversation (roles and texts): the same conversation from the
 *   same source has the same id wherever the file lies and however it is split or ordered; never a counter. A
 *   record that cannot be read gets a hash of the source and its raw text.</li>
 *   <li>{@code source}: the record's own {@code source} when it has one, otherwise the input's name.</li>
 *   <li>{@code split} ({@code train} or {@code test}) and {@code score} (a number) are carried when present.</li>
 *   <li>Alpaca: user turn = instruction, then a blank line and the input when the input is not empty.
 *   ShareGPT: {@code human} is user, {@code gpt} assistant. OpenAI content may be a list of text parts.</li>
 * </ul>
 */
public final class SftConverter {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int DETAIL_MAX = 200;
    /** ShareGPT's role names, and the standard ones some ShareGPT exports use. */
    private static final Map<String, String> SHAREGPT_ROLES = Map.of(
            "human", Message.USER, "user", Message.USER,
            "gpt", Message.ASSISTANT, "assistant", Message.ASSISTANT,
            "system", Message.SYSTEM);

    /** A record that cannot be read as its format says. */
    private static final class Unreadable extends Exception {
        Unreadable(String message) {
            super(message, null, false, false);
        }
    }

    private SftConverter() {
    }

    /**
     * @param source the name of the input the record came from: the row's source unless the record names its own,
     *               and part of a derived id
     */
    public static SftOutcome convert(String json, SftFormat format, String source) {
        JsonNode node;
        try {
            node = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            return unreadable(rawId(source, json), source, null, "invalid JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            return unreadable(rawId(source, json), source, null, "not a JSON object");
        }
        String ownId = scalar(node.get("id"));
        String ownSource = scalar(node.get("source"));
        String rowSource = ownSource != null ? ownSource : source;
        SftFormat f = format == SftFormat.AUTO ? SftFormat.detect(node) : format;
        if (f == null) {
            return unreadable(ownId != null ? ownId : rawId(rowSource, json), rowSource, null,
                    "no field of a known format (messages, conversations, instruction and output, prompt and completion)");
        }
        List<Message> messages;
        String split;
        Double score;
        try {
            messages = switch (f) {
                case OPENAI -> messages(required(node, "messages"), "role", "content", null);
                case SHAREGPT -> withSystem(node, messages(required(node, "conversations"), "from", "value", SHAREGPT_ROLES));
                case ALPACA -> alpaca(node);
                case PROMPT_COMPLETION -> promptCompletion(node);
                case AUTO -> throw new IllegalStateException("detected format cannot be auto");
            };
            split = split(node.get("split"));
            score = score(node.get("score"));
        } catch (Unreadable e) {
            return unreadable(ownId != null ? ownId : rawId(rowSource, json), rowSource, f,
                    f.code() + ": " + e.getMessage());
        }
        String id = ownId != null ? ownId : contentId(rowSource, messages);
        ConversationCheck.Problem problem = ConversationCheck.problem(messages);
        if (problem != null) {
            return SftOutcome.reject(id, rowSource, f, problem.reason(), problem.detail());
        }
        return SftOutcome.keep(new SftRow(id, messages, rowSource, split, score), f);
    }

    /** The id of a conversation without one: a hash of its source and every turn's role and text. */
    public static String contentId(String source, List<Message> messages) {
        StringBuilder material = new StringBuilder(source == null ? "" : source).append('\0');
        for (Message m : messages) {
            material.append(m.role()).append('\0').append(m.content()).append('\0');
        }
        return DocumentIds.sha256Hex(material.toString(), 16);
    }

    private static String rawId(String source, String json) {
        return DocumentIds.sha256Hex((source == null ? "" : source) + "\0raw\0" + json, 16);
    }

    private static SftOutcome unreadable(String id, String source, SftFormat format, String detail) {
        String d = detail == null ? "" : detail;
        return SftOutcome.reject(id, source, format, SftRejectReasons.UNREADABLE,
                d.length() <= DETAIL_MAX ? d : d.substring(0, DETAIL_MAX) + "...");
    }

    private static JsonNode required(JsonNode node, String field) throws Unreadable {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw new Unreadable("no field '" + field + "'");
        }
        return v;
    }

    /**
     * A list of turn objects. Role names are lower-cased and, when {@code roleNames} is given, mapped through it
     * (names it lacks stay as they are and are rejected as unknown roles by the check).
     */
    private static List<Message> messages(JsonNode list, String roleField, String contentField,
                                          Map<String, String> roleNames) throws Unreadable {
        if (!list.isArray()) {
            throw new Unreadable("'" + roleField + "/" + contentField + "' turns are not a list");
        }
        List<Message> out = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            JsonNode turn = list.get(i);
            if (!turn.isObject() || !turn.path(roleField).isTextual()) {
                throw new Unreadable("turn " + i + " has no '" + roleField + "' string");
            }
            String role = turn.get(roleField).textValue().trim().toLowerCase(Locale.ROOT);
            if (roleNames != null) {
                role = roleNames.getOrDefault(role, role);
            }
            out.add(new Message(role, content(turn.get(contentField), i)));
        }
        return out;
    }

    /** A string, null (a tool-call turn's content: empty), or OpenAI's list of {type: text, text} parts. */
    private static String content(JsonNode content, int turn) throws Unreadable {
        if (content == null || content.isNull()) {
            return "";
        }
        if (content.isTextual()) {
            return content.textValue();
        }
        if (content.isArray()) {
            StringBuilder text = new StringBuilder();
            for (JsonNode part : content) {
                if (!"text".equals(part.path("type").asText()) || !part.path("text").isTextual()) {
                    throw new Unreadable("turn " + turn + " has a content part that is not text");
                }
                text.append(part.get("text").textValue());
            }
            return text.toString();
        }
        throw new Unreadable("turn " + turn + " content is not text");
    }

    private static List<Message> withSystem(JsonNode node, List<Message> turns) throws Unreadable {
        String system = optionalText(node, "system");
        if (system == null || system.isEmpty()) {
            return turns;
        }
        List<Message> out = new ArrayList<>(turns.size() + 1);
        out.add(Message.system(system));
        out.addAll(turns);
        return out;
    }

    private static List<Message> alpaca(JsonNode node) throws Unreadable {
        String instruction = requiredText(node, "instruction");
        String input = optionalText(node, "input");
        String output = requiredText(node, "output");
        String user = input == null || input.isEmpty() ? instruction : instruction + "\n\n" + input;
        return withSystem(node, List.of(Message.user(user), Message.assistant(output)));
    }

    private static List<Message> promptCompletion(JsonNode node) throws Unreadable {
        JsonNode prompt = required(node, "prompt");
        JsonNode completion = required(node, "completion");
        List<Message> out = new ArrayList<>();
        if (prompt.isTextual()) {
            out.add(Message.user(prompt.textValue()));
        } else {
            out.addAll(messages(prompt, "role", "content", null));
        }
        if (completion.isTextual()) {
            out.add(Message.assistant(completion.textValue()));
        } else {
            out.addAll(messages(completion, "role", "content", null));
        }
        return out;
    }

    private static String requiredText(JsonNode node, String field) throws Unreadable {
        String s = optionalText(node, field);
        if (s == null) {
            throw new Unreadable("no field '" + field + "'");
        }
        return s;
    }

    private static String optionalText(JsonNode node, String field) throws Unreadable {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw new Unreadable("field '" + field + "' is not a string");
        }
        return v.textValue();
    }

    private static String split(JsonNode v) throws Unreadable {
        if (v == null || v.isNull()) {
            return null;
        }
        String s = v.asText();
        if (!SftRow.TRAIN.equals(s) && !SftRow.TEST.equals(s)) {
            throw new Unreadable("split must be train or test, got '" + s + "'");
        }
        return s;
    }

    private static Double score(JsonNode v) throws Unreadable {
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isNumber()) {
            throw new Unreadable("score is not a number");
        }
        return v.doubleValue();
    }

    private static String scalar(JsonNode n) {
        if (n == null || n.isNull() || n.isContainerNode()) {
            return null;
        }
        String s = n.asText();
        return s.isEmpty() ? null : s;
    }
}
