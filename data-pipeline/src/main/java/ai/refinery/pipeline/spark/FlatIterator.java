package ai.refinery.pipeline.spark;

import java.util.Collections;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.function.Function;

/** Lazily concatenates the iterators made from each element, so a partition never buffers a whole file. */
final class FlatIterator<A, B> implements Iterator<B> {
    private final Iterator<A> outer;
    private final Function<A, Iterator<B>> expand;
    private Iterator<B> current = Collections.emptyIterator();

    FlatIterator(Iterator<A> outer, Function<A, Iterator<B>> expand) {
        this.outer = outer;
        this.expand = expand;
    }

    @Override
    public boolean hasNext() {
        while (!current.hasNext()) {
            if (!outer.hasNext()) {
                return false;
            }
            current = expand.apply(outer.next());
        }
        return true;
    }

    @Override
    public B next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return current.next();
    }
}
