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
    private static final int T = 56;
    private static final BpeTokenizer TOK = Conversations.tokenizer();
    private static final SftSettings PADDED = SftSettings.defaults().withPacking(SftSettings.Packing.PADDED);

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
        SftPackResult r = pack(Conversations.EXAMPLES, T, PADDED);
        Map<String, Row> rows = byConversation(r);
        assertEquals(Conversations.EXAMPLES.size(), rows.size());
        assertEquals(List.of("window_id", "split", "conversation_id", "tokens", "loss_mask", "segment", "conversation_ids"),
                List.of(r.windows().columns()));
        for (int c = 0; c < Conversations.EXAMPLES.size(); c++) {
            Row row = rows.get("conv-" + c);
            int[] tokens = ints(row, "tokens");
            int[] mask = ints(row, "loss_mask");
            assertEquals(T + 1, tokens.length);
            assertEquals(T, mask.length);
            StringBuilder expected = new StringBuilder();
            for (Message m : Conversations.EXAMPLES.get(c)) {
                if (m.isAssistant()) {
                    expected.append(' ').append(m.content()).append(SpecialTokens.END);
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
                PADDED.withTrainOn(SftSettings.TrainOn.LAST_TURN));
        Row row = r.windows().first();
        int[] tokens = ints(row, "tokens");
        int[] mask = ints(row, "loss_mask");
        List<Integer> targetIds = new ArrayList<>();
        for (int i = 0; i < T; i++) {
            if (mask[i] == 1) {
                targetIds.add(tokens[i + 1]);
            }
        }
        assertEquals(" Gloomy.<|end|>", TOK.decode(targetIds.stream().mapToInt(Integer::intValue).toArray()));
        r.release();
    }

    @Test
    void changingOneConversationLeavesTheOtherWindowsUnchanged() {
        List<List<Message>> changed = new ArrayList<>(Conversations.EXAMPLES);
        changed.set(1, List.of(Message.user("Translate to German: good night, and sleep well"),
                Message.assistant("Gute Nacht, und schlaf gut.")));
        Map<String, Row> before = byConversation(pack(Conversations.EXAMPLES, T, PADDED));
        Map<String, Row> after = byConversation(pack(changed, T, PADDED));
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

        SftPackResult rejected = pack(Conversations.EXAMPLES, t, PADDED.withOverlong(SftSettings.Overlong.REJECT));
        assertEquals(over, rejected.stats().overlongRejected());
        assertEquals(Conversations.EXAMPLES.size() - over, rejected.windows().count());
        assertEquals(over, rejected.stats().toMap().get("conversations_rejected_overlong"));

        SftPackResult truncated = pack(Conversations.EXAMPLES, t, PADDED);
        assertEquals(over, truncated.stats().truncated() + truncated.stats().noTarget());
        assertEquals(Conversations.EXAMPLES.size() - truncated.stats().noTarget(), truncated.windows().count());
    }

    @Test
    void invalidConversationsAreCountedNotPacked() {
        List<List<Message>> conversations = new ArrayList<>(Conversations.EXAMPLES);
        conversations.add(List.of(Message.user("Is anyone there?")));
        conversations.add(List.of(Message.user("Weather?"), new Message("tool", "{\"sky\": \"clear\"}"),
                Message.assistant("Clear skies.")));
        SftPackResult r = pack(conversations, T, PADDED);
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
                PackSettings.defaults().withContextLength(T), PADDED);
        Map<String, Row> out = byConversation(r);
        assertEquals("validation", out.get("conv-0").getAs("split"));
        assertEquals("validation", out.get("conv-1").getAs("split"));
        assertEquals("train", out.get("conv-2").getAs("split"));
        assertEquals(2, r.stats().validationWindows());
        List<Long> ids = out.values().stream().map(x -> x.<Long>getAs("window_id")).sorted().toList();
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L), ids);
    }

    /** Conversation id -> its tokens and per-token targets (target i = token i + 1) cut out of packed windows. */
    private static Map<String, int[][]> conversationsOf(List<Row> windows, int t) {
        Map<String, int[][]> out = new HashMap<>();
        for (Row w : windows) {
            int[] tokens = ints(w, "tokens");
            int[] mask = ints(w, "loss_mask");
            int[] segment = ints(w, "segment");
            List<String> ids = w.getList(w.fieldIndex("conversation_ids"));
            assertEquals(ids.get(0), w.getAs("conversation_id"));
            for (int s = 0; s < ids.size(); s++) {
                int from = -1;
                int to = -1;
                for (int i = 0; i <= t; i++) {
                    if (segment[i] == s) {
                        from = from < 0 ? i : from;
                        to = i + 1;
                    }
                }
                for (int i = from; i < to; i++) {
                    assertEquals(s, segment[i], "a conversation's tokens are contiguous");
                }
                int[] targets = new int[to - from];
                for (int i = from; i + 1 < to; i++) {
                    targets[i + 1 - from] = mask[i];
                }
                if (from > 0) {
                    assertEquals(0, mask[from - 1], "the previous conversation never predicts this one's first token");
                }
                assertTrue(out.put(ids.get(s), new int[][] {java.util.Arrays.copyOfRange(tokens, from, to), targets}) == null,
                        "each conversation is in one window");
            }
            for (int i = 0; i <= t; i++) {
                if (segment[i] < 0) {
                    assertEquals(SpecialTokens.PAD_ID, tokens[i]);
                    assertTrue(i == 0 || mask[i - 1] == 0, "padding is never a target");
                }
            }
        }
        return out;
    }

    @Test
    void packedWindowsHoldSeveralConversationsWhoseTargetsAreExactlyTheirAssistantSpans() {
        int t = 120;
        SftPackResult r = pack(Conversations.EXAMPLES, t, SftSettings.defaults());
        List<Row> windows = r.windows().collectAsList();
        assertTrue(windows.size() < Conversations.EXAMPLES.size(), windows.size() + " windows");
        Map<String, int[][]> conversations = conversationsOf(windows, t);
        assertEquals(Conversations.EXAMPLES.size(), conversations.size());
        ChatTemplate template = new ChatTemplate(TOK);
        for (int c = 0; c < Conversations.EXAMPLES.size(); c++) {
            int[][] got = conversations.get("conv-" + c);
            ChatTemplate.Rendered alone = template.render(Conversations.EXAMPLES.get(c), SftSettings.TrainOn.ALL_ASSISTANT_TURNS);
            assertArrayEquals(alone.tokens(), got[0], "conv-" + c + " is rendered as alone");
            StringBuilder expected = new StringBuilder();
            for (Message m : Conversations.EXAMPLES.get(c)) {
                if (m.isAssistant()) {
                    expected.append(' ').append(m.content()).append(SpecialTokens.END);
                }
            }
            List<Integer> targetIds = new ArrayList<>();
            for (int i = 0; i < got[0].length; i++) {
                if (got[1][i] == 1) {
                    targetIds.add(got[0][i]);
                }
            }
            assertEquals(expected.toString(), TOK.decode(targetIds.stream().mapToInt(Integer::intValue).toArray()));
        }
        SftPackStats s = r.stats();
        SftPackStats padded = pack(Conversations.EXAMPLES, t, PADDED).stats();
        assertEquals(windows.size(), s.windows());
        assertEquals(padded.tokens(), s.tokens());
        assertEquals(padded.targetTokens(), s.targetTokens());
        assertEquals((long) windows.size() * (t + 1), s.tokens() + s.paddingTokens());
        assertEquals((double) Conversations.EXAMPLES.size() / windows.size(), s.conversationsPerWindow(), 1e-12);
        assertEquals(1.0, padded.conversationsPerWindow(), 0.0);
        assertTrue(s.paddingShare() < padded.paddingShare(), s.paddingShare() + " vs " + padded.paddingShare());
        assertEquals("packed", s.toMap().get("packing"));
        r.release();
    }

    @Test
    void packedWindowsAreTheSameWhateverThePartitioning() {
        int t = 120;
        List<List<Message>> many = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            many.addAll(Conversations.EXAMPLES);
        }
        // Every third row is marked test: the two splits must never share a window.
        List<Row> rows = new ArrayList<>();
        List<Row> plain = Conversations.rows(many).collectAsList();
        for (int i = 0; i < plain.size(); i++) {
            Row r = plain.get(i);
            rows.add(org.apache.spark.sql.RowFactory.create(r.get(0), r.get(1), r.get(2), i % 3 == 0 ? "test" : "train", null));
        }
        PackSettings settings = PackSettings.defaults().withContextLength(t);
        org.apache.spark.sql.Dataset<Row> input = SparkTestSession.get().createDataFrame(rows, SftRow.SCHEMA);
        List<Row> one = SftPacker.run(SparkTestSession.get(), input.coalesce(1), TOK, settings,
                SftSettings.defaults()).windows().orderBy("window_id").collectAsList();
        List<Row> three = SftPacker.run(SparkTestSession.get(), input.repartition(3), TOK, settings,
                SftSettings.defaults()).windows().orderBy("window_id").collectAsList();
        assertEquals(one.size(), three.size());
        for (int i = 0; i < one.size(); i++) {
            assertEquals(one.get(i).toString(), three.get(i).toString());
        }
        int seen = 0;
        for (Row w : one) {
            List<String> ids = w.getList(w.fieldIndex("conversation_ids"));
            for (String id : ids) {
                boolean test = Integer.parseInt(id.substring("conv-".length())) % 3 == 0;
                assertEquals(test ? "validation" : "train", w.getAs("split"), id);
                seen++;
            }
        }
        assertEquals(many.size(), seen);
        assertTrue(one.size() < many.size() / 2, one.size() + " windows for " + many.size() + " conversations");
    }
}
