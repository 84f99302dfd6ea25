package ai.refinery.pipeline.read;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Splits a (decompressed) WARC stream into records without trusting it: each record is a header, found by its
 * "WARC/1.x" line, and a block of exactly Content-Length bytes that is handed out as a bounded stream, never
 * buffered. Whatever lies between records that is not a record is skipped up to the next line starting with
 * "WARC/1." and reported once, so one bad stretch costs one rejection and the records after it are still read.
 */
final class WarcFramer {
    static final int MAX_HEADER_BYTES = 256 * 1024;
    private static final byte[] WARC_MAGIC = "WARC/".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] RESYNC_MAGIC = "WARC/1.".getBytes(StandardCharsets.US_ASCII);

    /** What the framer found next. */
    sealed interface Event permits Record, Garbage, End {
    }

    /** A record: its raw header bytes (version line to the blank line, inclusive) and its block. */
    record Record(byte[] header, String recordId, long contentLength, long offset, InputStream block) implements Event {
    }

    /** Bytes that are not a record; {@code recordId} is set when they began with a record header we could not use. */
    record Garbage(long offset, long length, String recordId, String why) implements Event {
    }

    record End() implements Event {
    }

    private final InputStream in;
    private final byte[] buf = new byte[64 * 1024];
    private int pos;
    private int lim;
    private long consumedBefore; // decompressed offset of buf[0]
    private boolean eof;
    private long blockRemaining;

    WarcFramer(InputStream in) {
        this.in = in;
    }

    /** The decompressed offset of the next unread byte. */
    long offset() {
        return consumedBefore + pos;
    }

    /**
     * Forgets buffered bytes after the underlying stream reported damage: they belong to the damaged stretch,
     * and reading goes on where the underlying stream resumed.
     */
    void discardBuffered() {
        consumedBefore += lim;
        pos = 0;
        lim = 0;
        blockRemaining = 0;
    }

    Event next() throws IOException {
        skipBlockRest();
        skipBlankLines();
        if (!ensure(1)) {
            return new End();
        }
        long start = offset();
        if (!startsWith(WARC_MAGIC)) {
            long skipped = scanToVersionLine(start);
            return new Garbage(start, skipped, null, "unparseable data, not a WARC record");
        }
        ByteArrayOutputStream header = new ByteArrayOutputStream(1024);
        long contentLength = -1;
        String recordId = null;
        boolean firstLine = true;
        while (true) {
            int lineEnd = findLineEnd(MAX_HEADER_BYTES - header.size());
            if (lineEnd < 0) {
                if (eof) {
                    pos = lim;
                    return new Garbage(start, offset() - start, recordId, "record header cut off by the end of the input");
                }
                long skipped = scanToVersionLine(start);
                return new Garbage(start, skipped, recordId, "record header too long");
            }
            int lineLen = lineEnd - pos;
            header.write(buf, pos, lineLen);
            String line = trimmedLine(pos, lineLen);
            pos = lineEnd;
            if (line.isEmpty()) {
                break;
            }
            if (!firstLine) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    String name = line.substring(0, colon).trim();
                    String value = line.substring(colon + 1).trim();
                    if (name.equalsIgnoreCase("Content-Length")) {
                        contentLength = parseLength(value);
                    } else if (name.equalsIgnoreCase("WARC-Record-ID")) {
                        recordId = value;
                    }
                }
            }
            firstLine = false;
        }
        if (contentLength < 0) {
            long skipped = scanToVersionLine(start);
            return new Garbage(start, skipped, recordId, "record without a valid Content-Length");
        }
        blockRemaining = contentLength;
        return new Record(header.toByteArray(), recordId, contentLength, start, new BlockStream());
    }

    private static long parseLength(String value) {
        try {
            long v = Long.parseLong(value);
            return v < 0 ? -1 : v;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private String trimmedLine(int from, int len) {
        int end = from + len;
        while (end > from && (buf[end - 1] == '\n' || buf[end - 1] == '\r')) {
            end--;
        }
        return new String(buf, from, end - from, StandardCharsets.ISO_8859_1);
    }

    /** Index just past the next '\n', compacting/filling as needed; -1 when past maxLen or at the end of input. */
    private int findLineEnd(int maxLen) throws IOException {
        int scanned = 0;
        while (true) {
            for (int i = pos + scanned; i < lim; i++) {
                if (buf[i] == '\n') {
                    return i + 1;
                }
            }
            scanned = lim - pos;
            if (scanned >= maxLen || !fill()) {
                return -1;
            }
        }
    }

    /**
     * Skips bytes until a WARC version line ("WARC/1.x" and a line end), left unread, or the end of the input;
     * returns the number of bytes skipped since start. The version line is matched wherever it begins, because
     * garbage seldom ends with a line break.
     */
    private long scanToVersionLine(long start) throws IOException {
        while (true) {
            if (!ensure(RESYNC_MAGIC.length + 2)) {
                pos = lim;
                return offset() - start;
            }
            if (startsWith(RESYNC_MAGIC) && isVersionLineEnd()) {
                return offset() - start;
            }
            pos++;
        }
    }

    private boolean isVersionLineEnd() throws IOException {
        int p = pos + RESYNC_MAGIC.length;
        if (!Character.isDigit(buf[p])) {
            return false;
        }
        if (buf[p + 1] == '\n') {
            return true;
        }
        return ensure(RESYNC_MAGIC.length + 3) && buf[p + 1] == '\r' && buf[pos + RESYNC_MAGIC.length + 2] == '\n';
    }

    private void skipBlankLines() throws IOException {
        while (ensure(1)) {
            byte b = buf[pos];
            if (b == '\r' || b == '\n') {
                pos++;
            } else {
                return;
            }
        }
    }

    private boolean startsWith(byte[] magic) throws IOException {
        if (!ensure(magic.length)) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if (buf[pos + i] != magic[i]) {
                return false;
            }
        }
        return true;
    }

    /** Reads past what the consumer left of the current block (read, not seeked: a cut-off block must show). */
    private void skipBlockRest() throws IOException {
        while (blockRemaining > 0) {
            if (pos == lim) {
                consumedBefore += lim;
                pos = 0;
                lim = 0;
                if (!fill()) {
                    throw new DamagedInputException("record block cut off by the end of the input", offset());
                }
            }
            int step = (int) Math.min(blockRemaining, lim - pos);
            pos += step;
            blockRemaining -= step;
        }
    }

    private boolean ensure(int n) throws IOException {
        while (lim - pos < n) {
            if (!fill()) {
                return false;
            }
        }
        return true;
    }

    /** Reads more bytes into the buffer (compacting first); false when the input has ended. */
    private boolean fill() throws IOException {
        if (eof) {
            return false;
        }
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, lim - pos);
            consumedBefore += pos;
            lim -= pos;
            pos = 0;
        }
        if (lim == buf.length) {
            return false;
        }
        int r = in.read(buf, lim, buf.length - lim);
        if (r < 0) {
            eof = true;
            return false;
        }
        lim += r;
        return true;
    }

    /** The current record's block; ends after Content-Length bytes, throws if the input ends first. */
    private final class BlockStream extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (blockRemaining <= 0) {
                return -1;
            }
            if (pos == lim && !fill()) {
                throw new DamagedInputException("record block cut off by the end of the input", offset());
            }
            int n = (int) Math.min(Math.min(len, lim - pos), blockRemaining);
            System.arraycopy(buf, pos, b, off, n);
            pos += n;
            blockRemaining -= n;
            return n;
        }

        @Override
        public int available() {
            return (int) Math.min(lim - pos, blockRemaining);
        }
    }
}
