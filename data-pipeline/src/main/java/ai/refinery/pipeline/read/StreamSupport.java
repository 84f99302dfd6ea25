package ai.refinery.pipeline.read;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;

/** Shared input handling of the readers. */
final class StreamSupport {
    private StreamSupport() {
    }

    /** The stream, decompressed when it starts with the gzip magic number (whatever the file is called). */
    static InputStream maybeGunzip(InputStream in) throws IOException {
        BufferedInputStream buffered = in instanceof BufferedInputStream b ? b : new BufferedInputStream(in, 64 * 1024);
        buffered.mark(2);
        byte[] head = new byte[2];
        int n = buffered.readNBytes(head, 0, 2);
        buffered.reset();
        return GzipMemberInputStream.isGzip(head, n) ? new GzipMemberInputStream(buffered) : buffered;
    }
}
