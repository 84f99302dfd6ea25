package ai.refinery.pipeline.extract;

import java.nio.charset.Charset;

/**
 * Turns one payload (the bytes of a page or text file and its declared media type) into plain text: classify it
 * (HTML, plain text, or not text at all), pick its charset, decode, and for HTML extract the text. Thread-safe.
 */
public final class PayloadExtractor {
    private final HtmlTextExtractor html;
    private final Charset defaultCharset;

    public PayloadExtractor(HtmlTextExtractor html, Charset defaultCharset) {
        this.html = html;
        this.defaultCharset = defaultCharset;
    }

    /** Builds one from the extract settings; an unknown default charset name falls back to UTF-8. */
    public static PayloadExtractor of(String htmlMode, int mainMinChars, String defaultCharset) {
        Charset cs = CharsetDetector.lookup(defaultCharset);
        return new PayloadExtractor(new HtmlTextExtractor(HtmlTextExtractor.Mode.fromCode(htmlMode), mainMinChars),
                cs == null ? java.nio.charset.StandardCharsets.UTF_8 : cs);
    }

    public Charset defaultCharset() {
        return defaultCharset;
    }

    public enum Status { TEXT, NOT_TEXT, EMPTY }

    /** The extracted text (empty unless status is TEXT) or why there is none. */
    public record Result(Status status, String text, String detail) {
        static Result text(String t) {
            return t.isEmpty() ? new Result(Status.EMPTY, "", "no text after extraction") : new Result(Status.TEXT, t, null);
        }
    }

    /**
     * @param mediaType the declared Content-Type (parameters allowed, e.g. "text/html; charset=iso-8859-2"), or
     *                  null when none was declared
     * @param baseUri   the page URL, for the HTML parser (may be null)
     */
    public Result extract(byte[] data, int length, String mediaType, String baseUri) {
        String base = null;
        String declaredCharset = null;
        if (mediaType != null) {
            int semi = mediaType.indexOf(';');
            base = (semi < 0 ? mediaType : mediaType.substring(0, semi)).trim();
            declaredCharset = charsetParameter(mediaType);
        }
        PayloadKind.Verdict v = PayloadKind.classify(base, data, length);
        switch (v.kind()) {
            case NOT_TEXT:
                return new Result(Status.NOT_TEXT, "", v.detail());
            case HTML:
                String page = CharsetDetector.decode(data, length, declaredCharset, true, defaultCharset);
                return Result.text(html.extract(page, baseUri));
            default:
                return Result.text(normalizePlain(CharsetDetector.decode(data, length, declaredCharset, false, defaultCharset)));
        }
    }

    /** Plain text as documents carry it: LF line ends, no trailing spaces on lines, no blank lines at the ends. */
    public static String normalizePlain(String s) {
        StringBuilder out = new StringBuilder(s.length());
        int lineStart = 0;
        int n = s.length();
        for (int i = 0; i <= n; i++) {
            char c = i < n ? s.charAt(i) : '\n';
            if (c == '\n' || c == '\r') {
                int end = i;
                while (end > lineStart && Character.isWhitespace(s.charAt(end - 1))) {
                    end--;
                }
                out.append(s, lineStart, end).append('\n');
                if (c == '\r' && i + 1 < n && s.charAt(i + 1) == '\n') {
                    i++;
                }
                lineStart = i + 1;
            }
        }
        return out.toString().strip();
    }

    static String charsetParameter(String mediaType) {
        int semi = mediaType.indexOf(';');
        while (semi >= 0) {
            int next = mediaType.indexOf(';', semi + 1);
            String param = (next < 0 ? mediaType.substring(semi + 1) : mediaType.substring(semi + 1, next)).trim();
            int eq = param.indexOf('=');
            if (eq > 0 && param.substring(0, eq).trim().equalsIgnoreCase("charset")) {
                return param.substring(eq + 1).trim();
            }
            semi = next;
        }
        return null;
    }
}
