package ai.refinery.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResponseMetricsTest {
    @Test
    void repeatedFourGramsCountOnlyLaterOccurrences() {
        assertEquals(0, ResponseMetrics.repeatedNgrams(new int[] {1, 2, 3, 4, 5, 6}, 4));
        // 1 2 3 4 1 2 3 4: the 4-grams at 4 (1 2 3 4) repeats the one at 0; 2 3 4 1 and 3 4 1 2 are new.
        assertEquals(1, ResponseMetrics.repeatedNgrams(new int[] {1, 2, 3, 4, 1, 2, 3, 4}, 4));
        // A run of one token: every 4-gram after the first repeats it.
        assertEquals(4, ResponseMetrics.repeatedNgrams(new int[] {9, 9, 9, 9, 9, 9, 9, 9}, 4));
        assertEquals(0, ResponseMetrics.repeatedNgrams(new int[] {9, 9, 9}, 4));
    }

    @Test
    void aggregatesLengthStopsRepetitionAndExactMatch() {
        ResponseMetrics m = new ResponseMetrics();
        m.add(new int[] {9, 9, 9, 9, 9, 9, 9, 9}, false, false); // 5 4-grams, 4 repeated
        m.add(new int[] {1, 2, 3, 4, 5}, true, true);            // 2 4-grams, none repeated
        m.add(new int[] {7}, true, null);                        // no 4-gram, no reference
        assertEquals(3, m.responses());
        assertEquals(14 / 3.0, m.meanLength(), 1e-12);
        assertEquals(5, m.medianLength());
        assertEquals(2 / 3.0, m.stopRate(), 1e-12);
        assertEquals(2, m.responsesWithNgrams());
        assertEquals((4 / 5.0 + 0) / 2, m.repeatRate(), 1e-12);
        assertEquals(4 / 7.0, m.pooledRepeatRate(), 1e-12);
        assertEquals(0.5, m.exactMatch(), 1e-12);
        m.add(new int[] {1, 2}, true, false);
        assertEquals(3.5, m.medianLength(), 1e-12, "even count: the mean of the middle two (2 and 5)");
        assertTrue(Double.isNaN(new ResponseMetrics().exactMatch()));
    }
}
