package ai.refinery.core.spark;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * One progress line for a long step: rows done, rate and ETA. On a terminal the line is rewritten in place
 * ({@code \r}) at most once a second; otherwise (a scheduler's log) it is logged at INFO at most every
 * {@link #LOG_INTERVAL_NANOS}. The ETA comes from the share of the work done (rows of a known total, or tasks of
 * the running Spark job, see {@link SparkProgress}). Plain Java: the clock and the sink are injectable.
 */
public final class Progress implements AutoCloseable {
    static final long TERMINAL_INTERVAL_NANOS = 1_000_000_000L;
    static final long LOG_INTERVAL_NANOS = 15_000_000_000L;
    private static final Logger LOG = LoggerFactory.getLogger(Progress.class);

    /** Where lines go: a terminal line rewritten in place, or log lines. */
    public interface Sink {
        void update(String line);

        void done(String line);

        /** The terminal (stderr) when there is one, else the log. */
        static Sink standard() {
            return System.console() != null ? terminal(System.err) : log();
        }

        static Sink terminal(PrintStream out) {
            return new Sink() {
                private int width;

                @Override
                public void update(String line) {
                    out.print("\r" + line + " ".repeat(Math.max(0, width - line.length())));
                    width = line.length();
                    out.flush();
                }

                @Override
                public void done(String line) {
                    update(line);
                    out.println();
                    width = 0;
                }
            };
        }

        static Sink log() {
            return new Sink() {
                @Override
                public void update(String line) {
                    LOG.info(line);
                }

                @Override
                public void done(String line) {
                    LOG.info(line);
                }
            };
        }
    }

    private final String label;
    private final long total;
    private final Sink sink;
    private final LongSupplier clock;
    private final long interval;
    private final long started;
    private final AtomicLong done = new AtomicLong();
    private long lastPrinted = Long.MIN_VALUE;
    private boolean closed;

    /** @param total rows expected, or 0 when unknown (the ETA then needs {@link #line(long, double)}'s fraction) */
    public Progress(String label, long total, Sink sink, LongSupplier nanoClock, boolean terminal) {
        this.label = label;
        this.total = total;
        this.sink = sink;
        this.clock = nanoClock;
        this.interval = terminal ? TERMINAL_INTERVAL_NANOS : LOG_INTERVAL_NANOS;
        this.started = nanoClock.getAsLong();
    }

    /** A progress line on the terminal when there is one, else in the log. */
    public static Progress standard(String label, long total) {
        boolean terminal = System.console() != null;
        return new Progress(label, total, terminal ? Sink.terminal(System.err) : Sink.log(), System::nanoTime, terminal);
    }

    public void advance(long rows) {
        done.addAndGet(rows);
        maybePrint(-1);
    }

    public void set(long rows) {
        done.set(rows);
        maybePrint(-1);
    }

    public long done() {
        return done.get();
    }

    /** Prints when the interval has passed; {@code fraction} in [0, 1] (or -1 for rows of the total) drives the ETA. */
    public synchronized void maybePrint(double fraction) {
        if (closed || done.get() == 0) {
            return;
        }
        long now = clock.getAsLong();
        if (lastPrinted != Long.MIN_VALUE && now - lastPrinted < interval) {
            return;
        }
        lastPrinted = now;
        sink.update(line(now, fraction));
    }

    /** "dedup: 1,234,567 rows, 45,678 rows/s, 61%, ETA 0:12" (share and ETA left out when unknown, 0 or 1). */
    public String line(long now, double fraction) {
        long rows = done.get();
        double seconds = Math.max(1e-9, (now - started) / 1e9);
        double share = fraction >= 0 ? fraction : total > 0 ? Math.min(1.0, rows / (double) total) : -1;
        StringBuilder sb = new StringBuilder(label).append(": ");
        sb.append(String.format(Locale.ROOT, "%,d", rows));
        if (total > 0) {
            sb.append(String.format(Locale.ROOT, " / %,d", total));
        }
        sb.append(" rows, ").append(String.format(Locale.ROOT, "%,.0f", rows / seconds)).append(" rows/s");
        if (share > 0 && share < 1) {
            // Between Spark jobs the share restarts at 0 and ends at 1: neither says anything about the time left.
            sb.append(String.format(Locale.ROOT, ", %d%%", (int) Math.floor(share * 100)));
            sb.append(", ETA ").append(duration(seconds * (1 - share) / share));
        }
        return sb.toString();
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        if (s >= 3600) {
            return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
        }
        return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    /** Prints the final line. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            sink.done(line(clock.getAsLong(), -1) + String.format(Locale.ROOT, " in %s",
                    duration((clock.getAsLong() - started) / 1e9)));
        }
    }
}
