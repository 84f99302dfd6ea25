package ai.refinery.training.pack;

import ai.refinery.core.sft.Message;
import ai.refinery.core.sft.SftSettings;
import ai.refinery.training.Conversations;
import ai.refinery.training.SparkTestSession;
import ai.refinery.training.tokenizer.BpeTokenizer;
import ai.refinery.training.tokenizer.ChatTemplate;
import ai.refinery.training.tokenizer.SpecialTokens;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Response tuning (sft.train_on = response_only): the instructions are dropped, every response is a target, and
 * nothing else changes.
 */
class ResponseTuningPackTest {
    private static final int T = 48;

    @Test
    void windowsHoldTheResponsesAfterEmptyInstructions() {
        BpeTokenizer tok = Conversations.tokenizer();
        SftPackResult r = SftPacker.run(SparkTestSession.get(), Conversations.rows(Conversations.EXAMPLES), tok,
                PackSettings.defaults().withContextLength(T).withValidationFraction(0),
                SftSettings.defaults().withTrainOn(SftSettings.TrainOn.RESPONSE_ONLY)
                        .withPacking(SftSettings.Packing.PADDED));
        List<Row> windows = r.windows().collectAsList();
        assertEquals(Conversations.EXAMPLES.size(), windows.size());
        assertEquals("response_only", r.stats().toMap().get("train_on"));
        for (Row w : windows) {
            int i = Integer.parseInt(w.<String>getAs("conversation_id").substring("conv-".length()));
            List<Message> conversation = Conversations.EXAMPLES.get(i);
            // Expected by hand: <|user|><|end|><|assistant|> {answer}<|end|> for every exchange, no system turn.
            List<Integer> tokens = new ArrayList<>();
            List<Integer> mask = new ArrayList<>();
            for (Message m : conversation) {
                if (m.role().equals(Message.USER)) {
                    add(tokens, mask, new int[] {SpecialTokens.USER_ID, SpecialTokens.END_ID}, 0);
                } else if (m.isAssistant()) {
                    add(tokens, mask, new int[] {SpecialTokens.ASSISTANT_ID}, 0);
                    add(tokens, mask, tok.encodeOrdinary(" " + m.content()), 1);
                    add(tokens, mask, new int[] {SpecialTokens.END_ID}, 1);
                }
            }
            int[] ids = w.<Integer>getList(w.fieldIndex("tokens")).stream().mapToInt(Integer::intValue).toArray();
            int[] lossMask = w.<Integer>getList(w.fieldIndex(SftPacker.LOSS_MASK)).stream().mapToInt(Integer::intValue)
                    .toArray();
            int n = tokens.size();
            assertArrayEquals(tokens.stream().mapToInt(Integer::intValue).toArray(), java.util.Arrays.copyOf(ids, n));
            for (int j = n; j < ids.length; j++) {
                assertEquals(SpecialTokens.PAD_ID, ids[j], "padding after the conversation");
            }
            // Target j is token j + 1.
            for (int j = 0; j < T; j++) {
                int expected = j + 1 < n ? mask.get(j + 1) : 0;
                assertEquals(expected, lossMask[j], "conversation " + i + " target " + j);
            }
        }
        r.release();
    }

    @Test
    void theTemplateDropsSystemTurnsAndEmptiesUserTurns() {
        List<Message> c = ChatTemplate.withoutInstructions(Conversations.EXAMPLES.get(0));
        assertEquals(List.of(Message.user(""), Conversations.EXAMPLES.get(0).get(2)), c);
    }

    private static void add(List<Integer> tokens, List<Integer> mask, int[] ids, int m) {
        for (int id : ids) {
            tokens.add(id);
            mask.add(m);
        }
    }
}
