package ai.refinery.pipeline.read;

import ai.refinery.pipeline.filter.Outcome;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * The iterator every streaming reader returns: subclasses say how to read the next record, this class does the
 * look-ahead and closes the stream when the records run out.
 */
abstract class RecordIterator implements Iterator<Outcome> {
    private final InputStream in;
    private Outcome next;
    private boolean done;

    RecordIterator(InputStream in) {
        this.in = in;
    }

    /** The next outcome, or null when this step produced none; calls {@link #finish()} at the end. */
    abstract Outcome advance();

    @Override
    public final boolean hasNext() {
        while (next == null && !done) {
            next = advance();
        }
        return next != null;
    }

    @Override
    public final Outcome next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        Outcome o = next;
        next = null;
        return o;
    }

    /** No more records: closes the input. */
    final void finish() {
        done = true;
        try {
            in.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
