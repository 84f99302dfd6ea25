package ai.refinery.pipeline.doc;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Stable document ids: a hash of where the record came from, so the same input always yields the same id
 * whatever the partitioning, and re-running a job never renumbers anything.
 */
public final class DocumentIds {
    private DocumentIds() {
    }

    /**
     * The id of a record. A globally unique record key (a WARC-Record-ID) is enough on its own; any other
     * locator (a line or row number) is qualified by the source it belongs to.
     */
    public static String of(String source, String recordKey, boolean keyIsGloballyUnique) {
        String material = keyIsGloballyUnique ? recordKey : source + "#" + recordKey;
        return sha256Hex(material, 16);
    }

    /** The first {@code bytes} bytes of the SHA-256 of the UTF-8 string, as lowercase hex. */
    public static String sha256Hex(String value, int bytes) {
        byte[] digest = sha256().digest(value.getBytes(StandardCharsets.UTF_8));
        StringBuilder hex = new StringBuilder(bytes * 2);
        for (int i = 0; i < bytes; i++) {
            hex.append(Character.forDigit((digest[i] >> 4) & 0xF, 16)).append(Character.forDigit(digest[i] & 0xF, 16));
        }
        return hex.toString();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by the Java platform", e);
        }
    }
}
