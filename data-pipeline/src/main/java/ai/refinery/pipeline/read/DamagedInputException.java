package ai.refinery.pipeline.read;

import java.io.IOException;

/**
 * A stretch of input could not be decoded (a truncated or corrupt gzip member, bytes between members). The stream
 * that throws it has already moved past the damage: reading on continues at the next intact member, or ends.
 */
public class DamagedInputException extends IOException {
    private final long offset;

    public DamagedInputException(String message, long offset) {
        super(message);
        this.offset = offset;
    }

    /** Byte offset in the raw file where the damage starts. */
    public long offset() {
        return offset;
    }
}
