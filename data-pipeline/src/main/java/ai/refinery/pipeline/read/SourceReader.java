package ai.refinery.pipeline.read;

import ai.refinery.pipeline.filter.Outcome;

import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;

/**
 * Reads the records of one input file. Every record becomes exactly one {@link Outcome}: a kept document,
 * or a rejection with stage {@link RejectReasons#STAGE} and one of its reasons. A bad record never ends the
 * stream early except where nothing after it can be found again (a truncated file), and then the loss is one
 * rejection, not silence. Only a file that cannot be opened at all throws.
 */
public interface SourceReader {

    /**
     * @param source the file's URI, recorded on every document and used in ids
     * @param in     the raw (possibly compressed) bytes of the file; the reader closes it when the iterator is
     *               exhausted
     */
    Iterator<Outcome> read(String source, InputStream in, ReadOptions options) throws IOException;
}
