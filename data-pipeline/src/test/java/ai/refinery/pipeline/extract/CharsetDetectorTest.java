package ai.refinery.pipeline.extract;

import org.junit.jupiter.api.Test;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

class CharsetDetectorTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void orderOfSources() {
        byte[] meta = b("<html><head><meta charset=\"koi8-r\"></head>");
        assertEquals("content-type", CharsetDetector.detect(meta, meta.length, "iso-8859-5", true, StandardCharsets.UTF_8).source());
        assertEquals(Charset.forName("KOI8-R"), CharsetDetector.detect(meta, meta.length, null, true, StandardCharsets.UTF_8).charset());
        // a meta tag means nothing in plain text
        assertEquals("default", CharsetDetector.detect(meta, meta.length, null, false, StandardCharsets.UTF_8).source());
        // unknown names are passed over
        assertEquals("meta", CharsetDetector.detect(meta, meta.length, "nonsense-7", true, StandardCharsets.UTF_8).source());
    }

    @Test
    void metaBeyondTheScanWindowIsNotSeen() {
        String tag = "<meta charset=koi8-r>";
        byte[] inside = b(" ".repeat(CharsetDetector.META_SCAN_BYTES - tag.length()) + tag);
        byte[] outside = b(" ".repeat(CharsetDetector.META_SCAN_BYTES) + tag);
        assertEquals("meta", CharsetDetector.detect(inside, inside.length, null, true, StandardCharsets.UTF_8).source());
        assertEquals("default", CharsetDetector.detect(outside, outside.length, null, true, StandardCharsets.UTF_8).source());
    }

    @Test
    void labels() {
        assertEquals(Charset.forName("windows-1252"), CharsetDetector.lookup("ISO-8859-1"));
        assertEquals(StandardCharsets.UTF_8, CharsetDetector.lookup(" 'UTF8' "));
        assertNull(CharsetDetector.lookup("x-unknown"));
        assertNull(CharsetDetector.lookup("bad name with spaces"));
        assertNull(CharsetDetector.lookup(""));
        byte[] m = b("<meta charset=utf-16>");
        assertEquals(StandardCharsets.UTF_8, CharsetDetector.metaCharset(m, m.length));
    }
}
