package ai.refinery.training.pack;

import ai.refinery.core.sft.SftSettings.Overlong;
import ai.refinery.training.tokenizer.ChatTemplate;
import ai.refinery.training.tokenizer.SpecialTokens;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

/** One conversation in one window: shifting the targets, padding, and the overlong policy. */
class SftWindowTest {
    private static final int PAD = SpecialTokens.PAD_ID;
    private static final int END = SpecialTokens.END_ID;
    /** <|user|> 10 11 <|end|> <|assistant|> 12 13 <|end|>: targets 12, 13 and the last <|end|>. */
    private static final ChatTemplate.Rendered CONVERSATION = new ChatTemplate.Rendered(
            new int[] {SpecialTokens.USER_ID, 10, 11, END, SpecialTokens.ASSISTANT_ID, 12, 13, END},
            new byte[] {0, 0, 0, 0, 0, 1, 1, 1});

    @Test
    void aShortConversationIsPaddedAndPaddingIsNeverATarget() {
        SftWindow w = SftWindow.of(CONVERSATION, 10, PAD, Overlong.REJECT);
        assertEquals(SftWindow.Status.FITS, w.status());
        assertArrayEquals(new int[] {SpecialTokens.USER_ID, 10, 11, END, SpecialTokens.ASSISTANT_ID, 12, 13, END, PAD,
                PAD, PAD}, w.tokens());
        // Target i is token i + 1: the mask is the template's flags shifted by one, then zeros over padding.
        assertArrayEquals(new int[] {0, 0, 0, 0, 1, 1, 1, 0, 0, 0}, w.lossMask());
        assertEquals(8, w.length());
    }

    @Test
    void theClosingEndIsATargetWhenTheConversationFillsTheWindowExactly() {
        SftWindow w = SftWindow.of(CONVERSATION, 7, PAD, Overlong.REJECT);
        assertEquals(SftWindow.Status.FITS, w.status());
        assertEquals(END, w.tokens()[7]);
        assertEquals(1, w.lossMask()[6]);
    }

    @Test
    void overlongConversationsAreTruncatedOrRejected() {
        SftWindow cut = SftWindow.of(CONVERSATION, 5, PAD, Overlong.TRUNCATE);
        assertEquals(SftWindow.Status.TRUNCATED, cut.status());
        assertArrayEquals(new int[] {SpecialTokens.USER_ID, 10, 11, END, SpecialTokens.ASSISTANT_ID, 12}, cut.tokens());
        assertArrayEquals(new int[] {0, 0, 0, 0, 1}, cut.lossMask());

        SftWindow rejected = SftWindow.of(CONVERSATION, 5, PAD, Overlong.REJECT);
        assertEquals(SftWindow.Status.OVERLONG_REJECTED, rejected.status());
        assertFalse(rejected.hasWindow());
        assertNull(rejected.tokens());
    }

    @Test
    void truncationThatLeavesNoTargetDropsTheConversation() {
        SftWindow w = SftWindow.of(CONVERSATION, 4, PAD, Overlong.TRUNCATE);
        assertEquals(SftWindow.Status.NO_TARGET, w.status());
        assertFalse(w.hasWindow());
    }

    @Test
    void bestFitDecreasingPutsEachConversationWhereTheLeastRoomIsLeft() {
        // 6 -> a (room 2), 5 -> b (3), 4 -> c (4), 3 -> b (0), 2 -> a (0), 2 -> c (2): three windows, the fewest for 22 tokens in 8s.
        java.util.List<java.util.List<Integer>> w = PackedSftWindow.bestFitDecreasing(new int[] {2, 6, 3, 5, 4, 2}, 8);
        assertEquals(java.util.List.of(java.util.List.of(0, 1), java.util.List.of(2, 3), java.util.List.of(4, 5)), w);
    }

    @Test
    void aPaddedWindowIsAPackedWindowOfOneConversation() {
        SftWindow padded = SftWindow.of(CONVERSATION, 10, PAD, Overlong.REJECT);
        PackedSftWindow one = PackedSftWindow.of(java.util.List.of(SftWindow.fit(CONVERSATION, 10, Overlong.REJECT)), 10, PAD);
        assertArrayEquals(padded.tokens(), one.tokens());
        assertArrayEquals(padded.lossMask(), one.lossMask());
        assertArrayEquals(new int[] {0, 0, 0, 0, 0, 0, 0, 0, -1, -1, -1}, one.segment());
    }
}
