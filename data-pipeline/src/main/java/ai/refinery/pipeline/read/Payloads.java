package ai.refinery.pipeline.read;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/** Reading a payload into memory with a hard cap, so an oversized one is noticed without being held. */
final class Payloads {
    private Payloads() {
    }

    /** Bytes read, or null when the stream holds more than max bytes (the excess is not read). */
    record Capped(byte[] data, int length) {
    }

    static Capped read(InputStream in, long max) throws IOException {
        int cap = (int) Math.min(max, Integer.MAX_VALUE - 16);
        byte[] buf = new byte[(int) Math.min(cap + 1L, 64 * 1024)];
        int len = 0;
        while (true) {
            if (len == buf.length) {
                if (len > cap) {
                    return null;
                }
                buf = Arrays.copyOf(buf, (int) Math.min(cap + 1L, buf.length * 2L));
            }
            int r = in.read(buf, len, buf.length - len);
            if (r < 0) {
                break;
            }
            len += r;
            if (len > cap) {
                return null;
            }
        }
        return new Capped(buf, len);
    }
}
