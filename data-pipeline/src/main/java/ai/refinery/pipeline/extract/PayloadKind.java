package ai.refinery.pipeline.extract;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** What a payload is, from its declared media type and its first bytes. */
public enum PayloadKind {
    HTML, TEXT, NOT_TEXT;

    /** How many leading bytes are sniffed. */
    static final int SNIFF_BYTES = 1024;

    /** Signatures of common binary formats that servers also send mislabelled as text/html. */
    private static final Object[][] MAGIC = {
            {"%PDF-", "application/pdf"}, {new byte[] {(byte) 0x89, 'P', 'N', 'G'}, "image/png"},
            {"GIF87a", "image/gif"}, {"GIF89a", "image/gif"}, {new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF}, "image/jpeg"},
            {new byte[] {'P', 'K', 3, 4}, "application/zip"}, {new byte[] {0x1F, (byte) 0x8B}, "application/gzip"},
            {"RIFF", "audio/video (RIFF)"}, {"OggS", "audio/ogg"}, {"ID3", "audio/mpeg"}, {"fLaC", "audio/flac"},
            {"wOFF", "font/woff"}, {"wOF2", "font/woff2"}, {"7z\u00bc\u00af\u0027\u001c", "application/x-7z-compressed"},
            {"Rar!", "application/x-rar"}, {"%!PS", "application/postscript"},
            {new byte[] {0x7F, 'E', 'L', 'F'}, "application/x-elf"}, {new byte[] {0, 0, 1, 0}, "image/x-icon"},
            {new byte[] {(byte) 0xD0, (byte) 0xCF, 0x11, (byte) 0xE0}, "application/msword (OLE)"},
    };

    /** The result of classification, with a detail for rejections. */
    public record Verdict(PayloadKind kind, String detail) {
    }

    /**
     * @param mediaType the declared media type without parameters (e.g. "text/html"), or null when none was given
     */
    public static Verdict classify(String mediaType, byte[] data, int length) {
        String magic = sniffMagic(data, length);
        if (magic != null) {
            return new Verdict(NOT_TEXT, "payload is " + magic + " (sniffed)" + declared(mediaType));
        }
        String mt = mediaType == null ? "" : mediaType.trim().toLowerCase(Locale.ROOT);
        boolean hasBom = CharsetDetector.bom(data, length) != null;
        boolean unknown = mt.isEmpty() || mt.equals("application/octet-stream") || mt.equals("unknown/unknown")
                || mt.equals("application/unknown");
        PayloadKind kind;
        if (mt.equals("text/html") || mt.equals("application/xhtml+xml") || mt.equals("text/x-server-parsed-html")) {
            kind = HTML;
        } else if (mt.equals("text/plain")) {
            kind = TEXT;
        } else if (unknown) {
            kind = looksLikeHtml(data, length) ? HTML : TEXT;
        } else {
            return new Verdict(NOT_TEXT, "content-type " + mt);
        }
        if (!hasBom && hasNul(data, length)) {
            return new Verdict(NOT_TEXT, "binary payload (NUL bytes)" + declared(mediaType));
        }
        return new Verdict(kind, null);
    }

    private static String declared(String mediaType) {
        return mediaType == null || mediaType.isBlank() ? "" : ", declared " + mediaType.trim();
    }

    private static String sniffMagic(byte[] d, int n) {
        for (Object[] m : MAGIC) {
            byte[] sig = m[0] instanceof byte[] b ? b : ((String) m[0]).getBytes(StandardCharsets.ISO_8859_1);
            if (n >= sig.length) {
                boolean match = true;
                for (int i = 0; i < sig.length && match; i++) {
                    match = d[i] == sig[i];
                }
                if (match) {
                    return (String) m[1];
                }
            }
        }
        if (n >= 12 && d[4] == 'f' && d[5] == 't' && d[6] == 'y' && d[7] == 'p') {
            return "video/mp4";
        }
        return null;
    }

    private static boolean hasNul(byte[] d, int n) {
        for (int i = 0, end = Math.min(n, SNIFF_BYTES); i < end; i++) {
            if (d[i] == 0) {
                return true;
            }
        }
        return false;
    }

    static boolean looksLikeHtml(byte[] d, int n) {
        String head = new String(d, 0, Math.min(n, SNIFF_BYTES), StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
        int i = 0;
        while (i < head.length() && (Character.isWhitespace(head.charAt(i)) || head.charAt(i) == '\ufeff'
                || head.charAt(i) == '\u00ef' || head.charAt(i) == '\u00bb' || head.charAt(i) == '\u00bf')) {
            i++;
        }
        if (i >= head.length() || head.charAt(i) != '<') {
            return false;
        }
        return head.contains("<html") || head.contains("<!doctype html") || head.contains("<head")
                || head.contains("<body") || head.contains("<p>") || head.contains("<div") || head.contains("<title");
    }
}
