package ai.refinery.training.pack;

import ai.refinery.core.sft.Message;
import ai.refinery.core.sft.SftRow;
import ai.refinery.core.sft.SftSettings;
import ai.refinery.training.Conversations;
import ai.refinery.training.SparkTestSession;
import ai.refinery.training.tokenizer.BpeTokenizer;
import ai.refinery.training.tokenizer.ChatTemplate;
import ai.refinery.training.tokenizer.SpecialTokens;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SFT rows to windows with a loss mask: the columns, the masks, independence of neighbours, the stats. */
class SftPackerTest {
    private static final int T = 48;
    private static final BpeTokenizer TOK = Conversations.tokenizer();

    private static SftPackResult pack(List<List<Message>> conversations, int contextLength, SftSettings sft) {
        return SftPacker.run(SparkTestSession.get(), Conversations.rows(conversations), TOK,
                PackSettings.defaults().withContextLength(contextLength).withValidationFraction(0), sft);
    }

    /** Rows by conversation id. */
    private static Map<String, Row> byConversation(SftPackResult r) {
        Map<String, Row> out = new HashMap<>();
        for (Row row : r.windows().collectAsList()) {
            out.put(row.getAs("conversation_id"), row);
        }
        return out;
    }

    private static int[] ints(Row r, String column) {
        return r.<Integer>getList(r.fieldIndex(column)).stream().mapToInt(Integer::intValue).toArray();
    }

    @Test
    void theMaskedTargetsAreExactlyTheAssistantSpans() {
        SftPackResult r = pack(Conversations.EXAMPLES, T, SftSettings.defaults());
        Map<String, Row> rows = byConversation(r);
        assertEquals(Conversations.EXAMPLES.size(), rows.size());
        assertEquals(List.of("window_id", "split", "conversation_id", "tokens", "loss_mask"), List.of(r.windows().columns()));
        for (int c = 0; c < Conversations.EXAMPLES.size(); c++) {
            Row row = rows.get("conv-" + c);
            int[] tokens = ints(row, "tokens");
            int[] mask = ints(row, "loss_mask");
            assertEquals(T + 1, tokens.length);
            assertEquals(T, mask.length);
            StringBuilder expected = new StringBuilder();
            for (Message m : Conversations.EXAMPLES.get(c)) {
                if (m.isAssistant()) {
                    expected.append(m.content()).append(SpecialTokens.END);
                }
            }
            List<Integer> targetIds = new ArrayList<>();
            for (int i = 0; i < T; i++) {
                if (mask[i] == 1) {
                    targetIds.add(tokens[i + 1]);
                    assertNotEquals(SpecialTokens.PAD_ID, tokens[i + 1], "padding is never a target");
                }
            }
            assertEquals(expected.toString(), TOK.decode(targetIds.stream().mapToInt(Integer::intValue).toArray()));
            assertEquals(SpecialTokens.PAD_ID, tokens[T], "short conversations are padded");
        }
        SftPackStats s = r.stats();
        assertEquals(Conversations.EXAMPLES.size(), s.conversations());
        assertEquals(Conversations.EXAMPLES.size(), s.trainWindows());
        assertEquals((long) Conversations.EXAMPLES.size() * (T + 1), s.tokens() + s.paddingTokens());
        r.release();
    }

    @Test
    void lastTurnOnlyMasksEarlierAnswersOut() {
        SftPackResult r = pack(List.of(Conversations.EXAMPLES.get(2)), T,
                SftSettings.defaults().withTrainOn(SftSettings.TrainOn.LAST_TURN));
        Row row = r.windows().first();
        int[] tokens = ints(row, "tokens");
        int[] mask = ints(row, "loss_mask");
        List<Integer> targetIds = new ArrayList<>();
        for (int i = 0; i < T; i++) {
            if (mask[i] == 1) {
                targetIds.add(tokens[i + 1]);
            }
        }
        assertEquals("Gloomy.<|end|>", TOK.decode(targetIds.stream().mapToInt(Integer::intValue).toArray()));
        r.release();
    }

    @Test
    void changingOneConversationLeavesTheOtherWindowsUnchanged() {
        List<List<Message>> changed = new ArrayList<>(Conversations.EXAMPLES);
        changed.set(1, List.of(Message.user("Translate to German: good night, and sleep well"),
                Message.assistant("Gute Nacht, und schlaf gut.")));
        Map<String, Row> before = byConversation(pack(Conversations.EXAMPLES, T, SftSettings.defaults()));
        Map<String, Row> after = byConversation(pack(changed, T, SftSettings.defaults()));
        assertTrue(!java.util.Arrays.equals(ints(before.get("conv-1"), "tokens"), ints(after.get("conv-1"), "tokens")));
        for (String id : before.keySet()) {
            if (!id.equals("conv-1")) {
                assertArrayEquals(ints(before.get(id), "tokens"), ints(after.get(id), "tokens"), id);
                assertArrayEquals(ints(before.get(id), "loss_mask"), ints(after.get(id), "loss_mask"), id);
            }
        }
    }

    @Test
    void overlongConversationsFollowThePolicyAndAreCounted() {
        ChatTemplate template = new ChatTemplate(TOK);
        int longest = 0;
        for (List<Message> c : Conversations.EXAMPLES) {
            longest = Math.max(longest, template.render(c, SftSettings.TrainOn.ALL_ASSISTANT_TURNS).tokens().length);
        }
        int t = longest - 3; // the longest no longer fits
        long over = Conversations.EXAMPLES.stream()
                .filter(c -> template.render(c, SftSettings.TrainOn.ALL_ASSISTANT_TURNS).tokens().length > t + 1).count();
        assertTrue(over >= 1);

        SftPackResult rejected = pack(Conversations.EXAMPLES, t, SftSettings.defaults().withOverlong(SftSettings.Overlong.REJECT));
        assertEquals(over, rejected.stats().overlongRejected());
        assertEquals(Conversations.EXAMPLES.size() - over, rejected.windows().count());
        assertEquals(over, rejected.stats().toMap().get("conversations_rejected_overlong"));

        SftPackResult truncated = pack(Conversations.EXAMPLES, t, SftSettings.defaults());
        assertEquals(over, truncated.stats().truncated() + truncated.stats().noTarget());
        assertEquals(Conversations.EXAMPLES.size() - truncated.stats().noTarget(), truncated.windows().count());
    }

    @Test
    void invalidConversationsAreCountedNotPacked() {
        List<List<Message>> conversations = new ArrayList<>(Conversations.EXAMPLES);
        conversations.add(List.of(Message.user("Is anyone there?")));
        conversations.add(List.of(Message.user("Weather?"), new Message("tool", "{\"sky\": \"clear\"}"),
                Message.assistant("Clear skies.")));
        SftPackResult r = pack(conversations, T, SftSettings.defaults());
        assertEquals(2, r.stats().invalid());
        assertEquals(Conversations.EXAMPLES.size(), r.windows().count());
        assertEquals(conversations.size(), r.stats().conversations());
    }

    @Test
    void rowsMarkedTestGoToValidationAndWindowIdsAreARanking() {
        List<Row> rows = new ArrayList<>(Conversations.rows(Conversations.EXAMPLES).collectAsList());
        List<Row> withSplit = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            withSplit.add(org.apache.spark.sql.RowFactory.create(r.get(0), r.get(1), r.get(2), i < 2 ? "test" : "train", null));
        }
        SftPackResult r = SftPacker.run(SparkTestSession.get(),
                SparkTestSession.get().createDataFrame(withSplit, SftRow.SCHEMA), TOK,
                PackSettings.defaults().withContextLength(T), SftSettings.defaults());
        Map<String, Row> out = byConversation(r);
        assertEquals("validation", out.get("conv-0").getAs("split"));
        assertEquals("validation", out.get("conv-1").getAs("split"));
        assertEquals("train", out.get("conv-2").getAs("split"));
        assertEquals(2, r.stats().validationWindows());
        List<Long> ids = out.values().stream().map(x -> x.<Long>getAs("window_id")).sorted().toList();
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L), ids);
    }
}
