package ai.refinery.core.spark;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Function;

/**
 * A partition's rows processed a batch at a time, lazily: a model decodes or scores many rows in one pass, and
 * the partition is never held in memory whole. A batch may give any number of results, none included.
 */
public final class Batches {
    private Batches() {
    }

    /** The results of {@code process} over consecutive batches of at most {@code size} of {@code rows}, in order. */
    public static <T, R> Iterator<R> map(Iterator<T> rows, int size, Function<List<T>, List<R>> process) {
        if (size < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + size);
        }
        return new Iterator<>() {
            private final ArrayDeque<R> done = new ArrayDeque<>();

            @Override
            public boolean hasNext() {
                while (done.isEmpty() && rows.hasNext()) {
                    List<T> batch = new ArrayList<>(size);
                    while (batch.size() < size && rows.hasNext()) {
                        batch.add(rows.next());
                    }
                    done.addAll(process.apply(batch));
                }
                return !done.isEmpty();
            }

            @Override
            public R next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return done.removeFirst();
            }
        };
    }
}
