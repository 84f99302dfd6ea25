package ai.refinery.core.outcome;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CountsTest {
    @Test
    void rejectedRowsAreTheSumByStageAndReasonAndTheAccountingCloses() {
        Counts c = Counts.of(10, 6, Map.of("language", Map.of("low_language_score", 3L), "read", Map.of("empty", 1L)));
        assertEquals(4, c.rowsRejected());
        assertTrue(c.closes());
        assertEquals(3, c.rejected("language", "low_language_score"));
        assertEquals(0, c.rejected("language", "nope"));
        assertEquals(List.of("rows_in", "rows_out", "rows_rejected", "rejected"), List.copyOf(c.toMap().keySet()));
        assertEquals(List.of("language", "read"), List.copyOf(c.rejected().keySet()), "sorted by stage");
    }

    @Test
    void aStageThatExpandsRowsDoesNotClose() {
        assertFalse(Counts.of(120, 360).closes());
    }

    @Test
    void zeroCountsAreLeftOutAndNegativeOnesRefused() {
        assertEquals(Map.of(), Counts.of(1, 1, Map.of("x", Map.of("y", 0L))).rejected());
        assertThrows(IllegalArgumentException.class, () -> Counts.of(-1, 0));
        assertThrows(IllegalArgumentException.class, () -> Counts.of(1, 0, Map.of("x", Map.of("y", -1L))));
    }
}
