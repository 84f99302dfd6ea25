package ai.refinery.core.spark;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProgressTest {
    private final AtomicLong now = new AtomicLong();
    private final List<String> lines = new ArrayList<>();
    private final Progress.Sink sink = new Progress.Sink() {
        @Override
        public void update(String line) {
            lines.add(line);
        }

        @Override
        public void done(String line) {
            lines.add("done " + line);
        }
    };

    @Test
    void nothingIsPrintedBeforeTheFirstRow() {
        Progress p = new Progress("idle", 0, sink, now::get, true);
        p.advance(0);
        p.maybePrint(0.5);
        assertEquals(List.of(), lines);
    }

    @Test
    void rowsRateAndEtaOfAKnownTotal() {
        Progress p = new Progress("dedup", 1000, sink, now::get, true);
        now.set(10_000_000_000L);
        p.advance(250);
        assertEquals("dedup: 250 / 1,000 rows, 25 rows/s, 25%, ETA 0:30", lines.get(0));
    }

    @Test
    void aTerminalLineIsRewrittenAtMostOnceASecondAndALogLineLessOften() {
        Progress terminal = new Progress("t", 0, sink, now::get, true);
        terminal.advance(1);
        now.addAndGet(500_000_000L);
        terminal.advance(1);
        assertEquals(1, lines.size(), "within the second: no new line");
        now.addAndGet(600_000_000L);
        terminal.advance(1);
        assertEquals(2, lines.size());

        lines.clear();
        Progress log = new Progress("l", 0, sink, now::get, false);
        log.advance(1);
        now.addAndGet(5_000_000_000L);
        log.advance(1);
        assertEquals(1, lines.size(), "a log line at most every 15 seconds");
    }

    @Test
    void theEtaOfAnUnknownTotalComesFromTheShareOfTasksDone() {
        Progress p = new Progress("filter", 0, sink, now::get, true);
        now.set(20_000_000_000L);
        p.set(4000);
        assertEquals("filter: 4,000 rows, 200 rows/s", lines.get(0));
        assertEquals("filter: 4,000 rows, 200 rows/s, 50%, ETA 0:20", p.line(now.get(), 0.5));
        assertEquals("filter: 4,000 rows, 200 rows/s", p.line(now.get(), 1.0), "a finished job says nothing of the time left");
        assertEquals("filter: 4,000 rows, 200 rows/s", p.line(now.get(), 0.0), "nor does one just started");
        p.close();
        assertTrue(lines.get(lines.size() - 1).startsWith("done filter: 4,000 rows"), lines.toString());
        assertEquals("1:01:01", Progress.duration(3661));
    }

    @Test
    void shufflePartitionsFollowTheInputBetweenAFloorAndACap() {
        assertEquals(4, ShufflePartitions.forInput(0, 2));
        assertEquals(4, ShufflePartitions.forInput(100L << 20, 2), "100 MiB on two cores");
        assertEquals(16, ShufflePartitions.forInput(1L << 30, 2), "1 GiB: 64 MiB a partition");
        assertEquals(64, ShufflePartitions.forInput(1L << 30, 32), "never fewer than two a core");
        assertEquals(ShufflePartitions.MAX, ShufflePartitions.forInput(1L << 50, 2));
    }
}
