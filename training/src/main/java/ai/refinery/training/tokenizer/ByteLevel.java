package ai.refinery.training.tokenizer;

/**
 * The GPT-2 byte-to-character table: every byte value gets a printable Unicode character, so token strings
 * in tokenizer.json never hold raw control characters or spaces. Printable Latin-1 bytes map to themselves;
 * the other 68 bytes (controls, space, DEL, NBSP, soft hyphen) map to U+0100 upwards in byte order. This is
 * the table the Hugging Face ByteLevel pre-tokenizer and decoder use, so the files interoperate.
 */
public final class ByteLevel {
    private static final char[] BYTE_TO_CHAR = new char[256];
    private static final int[] CHAR_TO_BYTE = new int[512];

    static {
        java.util.Arrays.fill(CHAR_TO_BYTE, -1);
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = (char) (printable ? b : next++);
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = b;
        }
    }

    private ByteLevel() {
    }

    public static char charOf(int unsignedByte) {
        return BYTE_TO_CHAR[unsignedByte];
    }

    /** The byte a byte-level character stands for, or -1 when the character is not one of the 256. */
    public static int byteOf(char c) {
        return c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
    }

    /** Bytes as their byte-level string (the form tokens have in tokenizer.json). */
    public static String toChars(byte[] bytes, int from, int to) {
        char[] out = new char[to - from];
        for (int i = from; i < to; i++) {
            out[i - from] = BYTE_TO_CHAR[bytes[i] & 0xFF];
        }
        return new String(out);
    }

    /** The bytes of a byte-level string, or null when it holds a character outside the table. */
    public static byte[] toBytes(String chars) {
        byte[] out = new byte[chars.length()];
        for (int i = 0; i < chars.length(); i++) {
            int b = byteOf(chars.charAt(i));
            if (b < 0) {
                return null;
            }
            out[i] = (byte) b;
        }
        return out;
    }
}
