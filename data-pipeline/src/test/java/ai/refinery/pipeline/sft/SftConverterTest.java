package ai.refinery.pipeline.sft;

import ai.refinery.core.sft.Message;
import ai.refinery.core.sft.SftFormat;
import ai.refinery.core.sft.SftRejectReasons;
import ai.refinery.core.sft.SftRow;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each format on records as the public datasets ship them, and every reject reason. */
class SftConverterTest {
    private static final String INPUT = "alpaca";

    private static SftOutcome auto(String json) {
        return SftConverter.convert(json, SftFormat.AUTO, INPUT);
    }

    private static SftRow kept(SftOutcome o) {
        assertTrue(o.kept(), () -> "rejected: " + o.reason() + " " + o.detail());
        return o.row();
    }

    @Test
    void openAiChatKeepsEveryTurnAndItsSplitAndScore() {
        SftRow row = kept(auto("""
                {"messages": [{"role": "system", "content": "You are terse."},
                  {"role": "user", "content": "Capital of France?"}, {"role": "assistant", "content": "Paris."},
                  {"role": "user", "content": "And of Italy?"}, {"role": "assistant", "content": "Rome."}],
                 "split": "test", "score": 4.5}"""));
        assertEquals(List.of(Message.system("You are terse."), Message.user("Capital of France?"),
                Message.assistant("Paris."), Message.user("And of Italy?"), Message.assistant("Rome.")), row.messages());
        assertEquals("test", row.split());
        assertEquals(4.5, row.score());
        assertEquals(INPUT, row.source());
    }

    @Test
    void openAiContentPartsAreJoinedAndRoleNamesLowerCased() {
        SftRow row = kept(auto("""
                {"messages": [{"role": "User", "content": [{"type": "text", "text": "Hello, "},
                  {"type": "text", "text": "world"}]}, {"role": "assistant", "content": "Hi."}]}"""));
        assertEquals(Message.user("Hello, world"), row.messages().get(0));
    }

    @Test
    void alpacaPutsTheInputAfterTheInstruction() {
        SftRow withInput = kept(auto("""
                {"instruction": "Summarise the text.", "input": "The cat sat on the mat.", "output": "A cat sat."}"""));
        assertEquals(List.of(Message.user("Summarise the text.\n\nThe cat sat on the mat."), Message.assistant("A cat sat.")),
                withInput.messages());
        SftRow noInput = kept(auto("""
                {"instruction": "Give three tips for staying healthy.", "input": "", "output": "1. Eat well."}"""));
        assertEquals(Message.user("Give three tips for staying healthy."), noInput.messages().get(0));
    }

    @Test
    void shareGptMapsHumanAndGptAndTheSystemField() {
        SftRow row = kept(auto("""
                {"id": "sharegpt_42", "system": "Be kind.", "conversations": [{"from": "human", "value": "hi"},
                  {"from": "gpt", "value": "Hello! How can I help?"}]}"""));
        assertEquals("sharegpt_42", row.id());
        assertEquals(List.of(Message.system("Be kind."), Message.user("hi"), Message.assistant("Hello! How can I help?")),
                row.messages());
    }

    @Test
    void promptCompletionAsStringsOrAsMessageLists() {
        assertEquals(List.of(Message.user("2 + 2 ="), Message.assistant(" 4")),
                kept(auto("{\"prompt\": \"2 + 2 =\", \"completion\": \" 4\"}")).messages());
        assertEquals(List.of(Message.user("2 + 2?"), Message.assistant("4")), kept(auto("""
                {"prompt": [{"role": "user", "content": "2 + 2?"}],
                 "completion": [{"role": "assistant", "content": "4"}]}""")).messages());
    }

    @Test
    void theContractItselfKeepsItsIdAndSource() {
        SftRow row = kept(auto("""
                {"id": "person-000000001-qa-birth_date-2", "messages": [{"role": "user", "content": "When?"},
                 {"role": "assistant", "content": "1 May 1990"}], "source": "bios_qa", "split": "train"}"""));
        assertEquals("person-000000001-qa-birth_date-2", row.id());
        assertEquals("bios_qa", row.source());
    }

    @Test
    void derivedIdsComeFromTheSourceAndTheConversation() {
        String json = "{\"prompt\": \"a\", \"completion\": \"b\"}";
        String first = SftConverter.convert(json, SftFormat.AUTO, INPUT).id();
        assertEquals(first, SftConverter.convert(json, SftFormat.AUTO, INPUT).id());
        assertEquals(first, SftConverter.convert("{\"completion\": \"b\",  \"prompt\": \"a\"}", SftFormat.AUTO, INPUT).id(),
                "the same conversation written differently");
        assertEquals(first, SftConverter.convert("""
                {"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]}""",
                SftFormat.AUTO, INPUT).id(), "the same conversation in another format");
        assertNotEquals(first, SftConverter.convert("{\"prompt\": \"a\", \"completion\": \"c\"}", SftFormat.AUTO, INPUT).id());
        assertNotEquals(first, SftConverter.convert(json, SftFormat.AUTO, "dolly").id());
        assertNotEquals(first, SftConverter.convert("{\"prompt\": \"a\", \"completion\": \"b\", \"source\": \"x\"}",
                SftFormat.AUTO, INPUT).id(), "a record's own source is part of its id");
    }

    @Test
    void theFormatReadIsReported() {
        assertEquals(SftFormat.ALPACA, auto("{\"instruction\": \"a\", \"output\": \"b\"}").format());
        assertEquals(SftFormat.SHAREGPT, auto("{\"conversations\": [{\"from\": \"gpt\", \"value\": \"b\"}]}").format());
        assertNull(auto("not json").format());
        assertNull(auto("{\"text\": \"a web page\"}").format());
    }

    @Test
    void anExplicitFormatIgnoresOtherFormatsFields() {
        SftOutcome o = SftConverter.convert("{\"messages\": [], \"instruction\": \"x\"}", SftFormat.SHAREGPT, INPUT);
        assertEquals(SftRejectReasons.UNREADABLE, o.reason());
        assertTrue(o.detail().startsWith("sharegpt: no field 'conversations'"), o.detail());
    }

    @Test
    void everyRejectReason() {
        assertEquals(SftRejectReasons.UNKNOWN_ROLE, auto("""
                {"messages": [{"role": "user", "content": "weather?"}, {"role": "tool", "content": "{}"},
                 {"role": "assistant", "content": "Sunny."}]}""").reason());
        assertEquals(SftRejectReasons.UNKNOWN_ROLE, auto("""
                {"conversations": [{"from": "human", "value": "q"}, {"from": "observation", "value": "x"}]}""").reason());
        assertEquals(SftRejectReasons.ROLES_OUT_OF_ORDER, auto("""
                {"messages": [{"role": "assistant", "content": "Hi"}, {"role": "user", "content": "Hello"},
                 {"role": "assistant", "content": "Yes?"}]}""").reason());
        assertEquals(SftRejectReasons.ROLES_OUT_OF_ORDER, auto("""
                {"messages": [{"role": "user", "content": "a"}, {"role": "user", "content": "b"},
                 {"role": "assistant", "content": "c"}]}""").reason());
        assertEquals(SftRejectReasons.ROLES_OUT_OF_ORDER, auto("""
                {"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"},
                 {"role": "user", "content": "c"}]}""").reason());
        assertEquals(SftRejectReasons.ROLES_OUT_OF_ORDER, auto("""
                {"messages": [{"role": "user", "content": "a"}, {"role": "system", "content": "s"},
                 {"role": "assistant", "content": "c"}]}""").reason());
        assertEquals(SftRejectReasons.EMPTY_ASSISTANT_TURN, auto("""
                {"instruction": "Say something.", "input": "", "output": "  \\n"}""").reason());
        assertEquals(SftRejectReasons.EMPTY_ASSISTANT_TURN, auto("""
                {"messages": [{"role": "user", "content": "call it"}, {"role": "assistant", "content": null}]}""").reason());
        assertEquals(SftRejectReasons.NO_ASSISTANT_TURN, auto("""
                {"messages": [{"role": "system", "content": "s"}, {"role": "user", "content": "u"}]}""").reason());
        assertEquals(SftRejectReasons.NO_ASSISTANT_TURN, auto("{\"messages\": []}").reason());
        assertEquals(SftRejectReasons.UNREADABLE, auto("{\"messages\": [").reason());
        assertEquals(SftRejectReasons.UNREADABLE, auto("[1, 2]").reason());
        assertEquals(SftRejectReasons.UNREADABLE, auto("{\"text\": \"a web page\"}").reason());
        assertEquals(SftRejectReasons.UNREADABLE, auto("""
                {"instruction": "a", "output": "b", "split": "validation"}""").reason());
        assertEquals(SftRejectReasons.UNREADABLE, auto("{\"instruction\": 3, \"output\": \"b\"}").reason());
    }

    @Test
    void aRejectionKeepsTheRecordsIdAndSource() {
        SftOutcome o = auto("{\"id\": \"r1\", \"source\": \"dolly\", \"messages\": [{\"role\": \"user\", \"content\": \"q\"}]}");
        assertFalse(o.kept());
        assertNull(o.row());
        assertEquals("r1", o.id());
        assertEquals("dolly", o.source());
    }

    @Test
    void anEmptyUserTurnIsAllowedForResponseTuning() {
        assertTrue(auto("{\"prompt\": \"\", \"completion\": \"A poem about rain.\"}").kept());
    }
}
