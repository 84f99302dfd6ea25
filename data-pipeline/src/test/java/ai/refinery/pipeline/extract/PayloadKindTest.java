package ai.refinery.pipeline.extract;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

class PayloadKindTest {
    private static PayloadKind kind(String type, String body) {
        byte[] b = body.getBytes(StandardCharsets.ISO_8859_1);
        return PayloadKind.classify(type, b, b.length).kind();
    }

    @Test
    void byDeclaredTypeAndSniffing() {
        assertEquals(PayloadKind.HTML, kind("text/html", "<p>x</p>"));
        assertEquals(PayloadKind.HTML, kind("application/xhtml+xml", "<html/>"));
        assertEquals(PayloadKind.TEXT, kind("TEXT/PLAIN", "words"));
        assertEquals(PayloadKind.NOT_TEXT, kind("image/jpeg", "words"));
        assertEquals(PayloadKind.NOT_TEXT, kind("application/json", "{}"));
        assertEquals(PayloadKind.NOT_TEXT, kind("text/html", "%PDF-1.7 ..."));
        assertEquals(PayloadKind.NOT_TEXT, kind("text/plain", "GIF89a..."));
        assertEquals(PayloadKind.NOT_TEXT, kind(null, "abc\u0000def"));
        assertEquals(PayloadKind.HTML, kind(null, "  <!DOCTYPE html><html>"));
        assertEquals(PayloadKind.HTML, kind("application/octet-stream", "<div>x</div>"));
        assertEquals(PayloadKind.TEXT, kind(null, "just words < and >"));
        assertEquals(PayloadKind.TEXT, kind("", ""));
    }
}
