package ai.refinery.pipeline.read;

import java.io.IOException;
import java.io.InputStream;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Decompresses a gzip file member by member and survives damage. {@link java.util.zip.GZIPInputStream} silently
 * stops at the first bytes that are not a gzip header, which would lose every record after a corrupt spot; this
 * stream instead throws one {@link DamagedInputException} per damaged stretch (truncated member, corrupt deflate
 * data, checksum mismatch, garbage between members) and then carries on at the next gzip member header, which is
 * where a per-record-gzip WARC file can be picked up again.
 */
public final class GzipMemberInputStream extends InputStream {
    private static final int FTEXT_RESERVED = 0xE0;
    private static final int FHCRC = 0x02;
    private static final int FEXTRA = 0x04;
    private static final int FNAME = 0x08;
    private static final int FCOMMENT = 0x10;

    private enum State { BETWEEN, INFLATING, DONE }

    private final InputStream raw;
    private final byte[] buf = new byte[64 * 1024];
    private int pos;
    private int lim;
    private long bufStart; // raw offset of buf[0]
    private boolean rawEof;
    private final Inflater inflater = new Inflater(true);
    private final CRC32 crc = new CRC32();
    private State state = State.BETWEEN;
    private boolean first = true;
    private long memberStart;
    private int members;

    public GzipMemberInputStream(InputStream raw) {
        this.raw = raw;
    }

    /** Whether the bytes start with the gzip magic number. */
    public static boolean isGzip(byte[] head, int len) {
        return len >= 2 && (head[0] & 0xFF) == 0x1F && (head[1] & 0xFF) == 0x8B;
    }

    /** Number of gzip members started so far. */
    public int members() {
        return members;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (true) {
            switch (state) {
                case DONE:
                    return -1;
                case BETWEEN:
                    startMember();
                    break;
                case INFLATING:
                    int n = inflateSome(b, off, len);
                    if (n > 0) {
                        return n;
                    }
                    break;
                default:
                    throw new IllegalStateException();
            }
        }
    }

    private long rawOffset() {
        return bufStart + pos;
    }

    /** Positions at the next member and parses its header; at the end of the input moves to DONE. */
    private void startMember() throws IOException {
        if (!ensure(1)) {
            state = State.DONE;
            return;
        }
        long at = rawOffset();
        if (!headerAt()) {
            long skipped = scanToHeader();
            state = skipped < 0 ? State.DONE : State.BETWEEN;
            long length = skipped < 0 ? -skipped - 1 : skipped;
            throw new DamagedInputException((first ? "not gzip data: " : "unreadable data between gzip members: ")
                    + length + " bytes at offset " + at, at);
        }
        first = false;
        memberStart = at;
        members++;
        int flags = buf[pos + 3] & 0xFF;
        try {
            skipRaw(10);
            if ((flags & FEXTRA) != 0) {
                require(2);
                int xlen = (buf[pos] & 0xFF) | (buf[pos + 1] & 0xFF) << 8;
                skipRaw(2 + xlen);
            }
            if ((flags & FNAME) != 0) {
                skipZeroTerminated();
            }
            if ((flags & FCOMMENT) != 0) {
                skipZeroTerminated();
            }
            if ((flags & FHCRC) != 0) {
                skipRaw(2);
            }
        } catch (DamagedInputException e) {
            state = State.DONE;
            throw e;
        }
        inflater.reset();
        crc.reset();
        state = State.INFLATING;
    }

    private int inflateSome(byte[] b, int off, int len) throws IOException {
        if (inflater.needsInput()) {
            if (!ensure(1)) {
                state = State.DONE;
                throw new DamagedInputException("truncated gzip member starting at offset " + memberStart, memberStart);
            }
            inflater.setInput(buf, pos, lim - pos);
        }
        int n;
        try {
            n = inflater.inflate(b, off, len);
        } catch (DataFormatException e) {
            pos = lim - inflater.getRemaining();
            inflater.reset();
            long at = memberStart;
            state = scanToHeader() < 0 ? State.DONE : State.BETWEEN;
            throw new DamagedInputException("corrupt gzip member starting at offset " + at + ": " + e.getMessage(), at);
        }
        pos = lim - inflater.getRemaining();
        if (n > 0) {
            crc.update(b, off, n);
            if (inflater.finished()) {
                // Check the trailer now, while the record these bytes belong to is still being read, so that a
                // checksum failure rejects that record instead of surfacing after it was accepted.
                finishMember();
            }
            return n;
        }
        if (inflater.finished()) {
            finishMember();
        } else if (inflater.needsDictionary()) {
            long at = memberStart;
            inflater.reset();
            state = scanToHeader() < 0 ? State.DONE : State.BETWEEN;
            throw new DamagedInputException("gzip member at offset " + at + " needs a preset dictionary", at);
        }
        return 0;
    }

    private void finishMember() throws IOException {
        long at = memberStart;
        if (!ensure(8)) {
            state = State.DONE;
            throw new DamagedInputException("truncated gzip trailer of member at offset " + at, at);
        }
        long storedCrc = le32(pos);
        long storedSize = le32(pos + 4);
        pos += 8;
        state = State.BETWEEN;
        if (storedCrc != crc.getValue() || storedSize != (inflater.getBytesWritten() & 0xFFFFFFFFL)) {
            throw new DamagedInputException("checksum mismatch in gzip member at offset " + at, at);
        }
    }

    private long le32(int p) {
        return (buf[p] & 0xFFL) | (buf[p + 1] & 0xFFL) << 8 | (buf[p + 2] & 0xFFL) << 16 | (buf[p + 3] & 0xFFL) << 24;
    }

    /** Whether a plausible gzip member header (magic, deflate, no reserved flags) starts at pos. */
    private boolean headerAt() throws IOException {
        if (!ensure(4)) {
            return false;
        }
        return (buf[pos] & 0xFF) == 0x1F && (buf[pos + 1] & 0xFF) == 0x8B && buf[pos + 2] == 8
                && (buf[pos + 3] & FTEXT_RESERVED) == 0;
    }

    /**
     * Skips forward to the next plausible member header. Returns the number of bytes skipped, or -(skipped + 1)
     * when the input ended before another header.
     */
    private long scanToHeader() throws IOException {
        long skipped = 0;
        while (true) {
            if (headerAt()) {
                return skipped;
            }
            if (!ensure(1)) {
                return -skipped - 1;
            }
            pos++;
            skipped++;
        }
    }

    private void skipZeroTerminated() throws IOException {
        while (true) {
            require(1);
            if (buf[pos++] == 0) {
                return;
            }
        }
    }

    private void skipRaw(int n) throws IOException {
        while (n > 0) {
            require(1);
            int step = Math.min(n, lim - pos);
            pos += step;
            n -= step;
        }
    }

    private void require(int n) throws IOException {
        if (!ensure(n)) {
            throw new DamagedInputException("truncated gzip header at offset " + memberStart, memberStart);
        }
    }

    /** Makes at least n bytes available at pos (n <= buf.length); false at the end of the input. */
    private boolean ensure(int n) throws IOException {
        if (lim - pos >= n) {
            return true;
        }
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, lim - pos);
            bufStart += pos;
            lim -= pos;
            pos = 0;
        }
        while (lim < n && !rawEof) {
            int r = raw.read(buf, lim, buf.length - lim);
            if (r < 0) {
                rawEof = true;
            } else {
                lim += r;
            }
        }
        return lim - pos >= n;
    }

    @Override
    public void close() throws IOException {
        state = State.DONE;
        inflater.end();
        raw.close();
    }
}
