package ai.refinery.core.spark;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

class BatchesTest {

    @Test
    void processesConsecutiveBatchesLazilyAndInOrder() {
        List<List<Integer>> seen = new ArrayList<>();
        Iterator<Integer> rows = IntStream.range(0, 7).iterator();
        Iterator<String> out = Batches.map(rows, 3, batch -> {
            seen.add(List.copyOf(batch));
            return batch.stream().map(i -> "r" + i).toList();
        });
        assertEquals("r0", out.next());
        assertEquals(List.of(List.of(0, 1, 2)), seen, "one batch read for the first result");
        List<String> rest = new ArrayList<>();
        out.forEachRemaining(rest::add);
        assertEquals(List.of("r1", "r2", "r3", "r4", "r5", "r6"), rest);
        assertEquals(List.of(List.of(0, 1, 2), List.of(3, 4, 5), List.of(6)), seen);
        assertThrows(NoSuchElementException.class, out::next);
    }

    @Test
    void batchesWithoutResultsAreSkipped() {
        Iterator<Integer> out = Batches.map(IntStream.range(0, 6).iterator(), 2,
                batch -> batch.get(0) == 2 ? List.of(batch.get(0), batch.get(1)) : List.of());
        assertEquals(2, out.next());
        assertEquals(3, out.next());
        assertFalse(out.hasNext());
    }
}
