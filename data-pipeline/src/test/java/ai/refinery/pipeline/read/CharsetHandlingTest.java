package ai.refinery.pipeline.read;

import ai.refinery.pipeline.filter.Outcome;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static ai.refinery.pipeline.read.WarcTestFiles.*;
import static org.junit.jupiter.api.Assertions.*;

/** Charsets of WARC payloads: header, meta tag, byte-order mark, default; broken bytes never crash. */
class CharsetHandlingTest {
    private static final String CZECH = "Příliš žluťoučký kůň úpěl ďábelské ódy.";
    private static final String RUSSIAN = "Съешь же ещё этих мягких французских булок.";

    private static String one(String contentType, byte[] body) throws IOException {
        List<Outcome> out = read(SourceFormat.WARC, "s", response(uuid(1), "http://a.example/", contentType, body),
                ReadOptions.defaults());
        assertEquals(1, out.size());
        assertTrue(out.get(0).kept(), out.get(0).toString());
        return out.get(0).document().text();
    }

    private static byte[] html(String head, String text, Charset cs) {
        return ("<html><head>" + head + "</head><body><p>" + text + "</p></body></html>").getBytes(cs);
    }

    @Test
    void httpHeaderCharset() throws IOException {
        Charset latin2 = Charset.forName("ISO-8859-2");
        assertEquals(CZECH, one("text/html; charset=ISO-8859-2", html("", CZECH, latin2)));
        assertEquals(CZECH, one("text/html; charset=\"iso-8859-2\"", html("", CZECH, latin2)));
        // the header wins over a contradicting meta tag
        assertEquals(CZECH, one("text/html; charset=iso-8859-2", html("<meta charset=\"utf-8\">", CZECH, latin2)));
    }

    @Test
    void metaCharsetAndHttpEquiv() throws IOException {
        Charset cp1251 = Charset.forName("windows-1251");
        assertEquals(RUSSIAN, one("text/html", html("<meta charset=windows-1251>", RUSSIAN, cp1251)));
        assertEquals(RUSSIAN, one("text/html", html(
                "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1251\">", RUSSIAN, cp1251)));
        // no header and no meta: the default (UTF-8)
        assertEquals(RUSSIAN, one("text/html", html("", RUSSIAN, StandardCharsets.UTF_8)));
    }

    @Test
    void byteOrderMark() throws IOException {
        byte[] utf8 = concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, html("", RUSSIAN, StandardCharsets.UTF_8));
        // a BOM describes the bytes themselves and overrides a wrong header, as in browsers
        assertEquals(RUSSIAN, one("text/html; charset=windows-1252", utf8));
        byte[] utf16 = concat(new byte[] {(byte) 0xFF, (byte) 0xFE}, html("", CZECH, StandardCharsets.UTF_16LE));
        assertEquals(CZECH, one("text/html", utf16));
        byte[] plain = concat(new byte[] {(byte) 0xFE, (byte) 0xFF}, CZECH.getBytes(StandardCharsets.UTF_16BE));
        assertEquals(CZECH, one("text/plain", plain));
    }

    @Test
    void unknownCharsetFallsBackToTheDefault() throws IOException {
        assertEquals(CZECH, one("text/html; charset=x-no-such-charset", html("", CZECH, StandardCharsets.UTF_8)));
        assertEquals(CZECH, one("text/html; charset=\"\"", html("<meta charset=\"bogus!!\">", CZECH, StandardCharsets.UTF_8)));
        assertEquals(CZECH, one("text/plain; charset=utf-42", CZECH.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void latin1LabelMeansWindows1252() throws IOException {
        // 0x93/0x94 are curly quotes in windows-1252 and control characters in strict ISO-8859-1
        byte[] body = concat(ascii("<p>"), new byte[] {(byte) 0x93, 'h', 'i', (byte) 0x94}, ascii("</p>"));
        assertEquals("\u201chi\u201d", one("text/html; charset=iso-8859-1", body));
    }

    @Test
    void invalidUtf8IsReplacedNotFatal() throws IOException {
        byte[] body = concat(ascii("<p>before "), new byte[] {(byte) 0xC3, (byte) 0x28, (byte) 0xA0, (byte) 0xFF},
                ascii(" after</p>"));
        String text = one("text/html; charset=utf-8", body);
        assertTrue(text.startsWith("before "), text);
        assertTrue(text.endsWith(" after"), text);
        assertTrue(text.indexOf('\uFFFD') > 0, text);
        // and a record after a broken one is read as usual
        List<Outcome> out = read(SourceFormat.WARC, "s", concat(
                response(uuid(1), "http://a.example/", "text/plain; charset=utf-8", new byte[] {(byte) 0xC0, (byte) 0xFF, 'x'}),
                response(uuid(2), "http://b.example/", "text/plain", ascii("fine"))), ReadOptions.defaults());
        assertEquals(2, out.size());
        assertEquals("fine", out.get(1).document().text());
    }
}
