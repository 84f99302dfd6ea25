package ai.refinery.pipeline.extract;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Chooses the charset of a payload and decodes it. The order follows the HTML standard's encoding sniffing: a
 * byte-order mark wins (it describes the bytes themselves, and browsers let it override a wrong HTTP header), then
 * the charset of the HTTP Content-Type, then for HTML a {@code <meta charset>} or {@code <meta http-equiv>} in the
 * first bytes, else the configured default. A name Java does not know is passed over for the next source, so an
 * unknown charset ends at the default, never in an exception. Decoding replaces invalid byte sequences with U+FFFD.
 */
public final class CharsetDetector {
    /** How far into an HTML payload a {@code <meta>} charset declaration is looked for. */
    static final int META_SCAN_BYTES = 4096;
    private static final Pattern META_CHARSET =
            Pattern.compile("<meta\\b[^>]*?charset\\s*=\\s*[\"']?\\s*([a-z0-9_:.+-]+)", Pattern.CASE_INSENSITIVE);

    private CharsetDetector() {
    }

    /** The chosen charset and the length of the byte-order mark to skip. */
    public record Choice(Charset charset, int bomLength, String source) {
    }

    public static Choice detect(byte[] data, int length, String declared, boolean html, Charset fallback) {
        Choice bom = bom(data, length);
        if (bom != null) {
            return bom;
        }
        Charset cs = lookup(declared);
        if (cs != null) {
            return new Choice(cs, 0, "content-type");
        }
        if (html) {
            cs = metaCharset(data, length);
            if (cs != null) {
                return new Choice(cs, 0, "meta");
            }
        }
        return new Choice(fallback, 0, "default");
    }

    public static String decode(byte[] data, int length, String declared, boolean html, Charset fallback) {
        Choice c = detect(data, length, declared, html, fallback);
        return new String(data, c.bomLength(), length - c.bomLength(), c.charset());
    }

    static Choice bom(byte[] d, int n) {
        if (n >= 3 && (d[0] & 0xFF) == 0xEF && (d[1] & 0xFF) == 0xBB && (d[2] & 0xFF) == 0xBF) {
            return new Choice(StandardCharsets.UTF_8, 3, "bom");
        }
        if (n >= 2 && (d[0] & 0xFF) == 0xFE && (d[1] & 0xFF) == 0xFF) {
            return new Choice(StandardCharsets.UTF_16BE, 2, "bom");
        }
        if (n >= 2 && (d[0] & 0xFF) == 0xFF && (d[1] & 0xFF) == 0xFE) {
            return new Choice(StandardCharsets.UTF_16LE, 2, "bom");
        }
        return null;
    }

    static Charset metaCharset(byte[] data, int length) {
        String head = new String(data, 0, Math.min(length, META_SCAN_BYTES), StandardCharsets.ISO_8859_1);
        Matcher m = META_CHARSET.matcher(head);
        if (!m.find()) {
            return null;
        }
        Charset cs = lookup(m.group(1));
        // A page whose bytes were readable far enough to find this tag is not UTF-16 (HTML standard rule).
        if (cs != null && (cs.name().startsWith("UTF-16") || cs.name().startsWith("UTF-32"))) {
            return StandardCharsets.UTF_8;
        }
        return cs;
    }

    /** The charset for a label, or null when the label is missing or unknown to Java. */
    public static Charset lookup(String label) {
        if (label == null) {
            return null;
        }
        String name = label.trim().toLowerCase(Locale.ROOT);
        if (name.length() >= 2 && (name.charAt(0) == '"' || name.charAt(0) == '\'')) {
            name = name.substring(1, name.length() - 1).trim();
        }
        if (name.isEmpty()) {
            return null;
        }
        // The web's Latin-1 and ASCII labels mean windows-1252 in practice (HTML standard label table).
        switch (name) {
            case "iso-8859-1", "iso8859-1", "latin1", "l1", "us-ascii", "ascii", "iso_8859-1", "cp819" -> name = "windows-1252";
            case "utf8", "unicode-1-1-utf-8" -> name = "utf-8";
            default -> { }
        }
        try {
            return Charset.isSupported(name) ? Charset.forName(name) : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
