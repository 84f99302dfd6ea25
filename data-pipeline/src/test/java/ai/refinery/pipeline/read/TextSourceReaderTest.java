package ai.refinery.pipeline.read;

import ai.refinery.pipeline.doc.DocumentIds;
import ai.refinery.pipeline.filter.Outcome;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static ai.refinery.pipeline.read.WarcTestFiles.*;
import static org.junit.jupiter.api.Assertions.*;

class TextSourceReaderTest {
    private static final ReadOptions OPTIONS = ReadOptions.defaults();

    @Test
    void wholeFileIsOneDocument() throws IOException {
        String src = "file:/books/a.txt";
        List<Outcome> out = read(SourceFormat.TEXT, src, ascii("Line one.\r\nLine two.  \r\n\r\nPara two.\n"), OPTIONS);
        assertEquals(1, out.size());
        assertEquals("Line one.\nLine two.\n\nPara two.", out.get(0).document().text());
        assertEquals(DocumentIds.of(src, "file", false), out.get(0).document().id());
        assertEquals("file", out.get(0).document().recordId());
        assertEquals("text", out.get(0).document().format());
        assertNull(out.get(0).document().url());
    }

    @Test
    void charsetFromBomElseDefault() throws IOException {
        String s = "Grüße aus Köln";
        byte[] utf16 = concat(new byte[] {(byte) 0xFE, (byte) 0xFF}, s.getBytes(StandardCharsets.UTF_16BE));
        assertEquals(s, read(SourceFormat.TEXT, "a.txt", utf16, OPTIONS).get(0).document().text());
        assertEquals(s, read(SourceFormat.TEXT, "a.txt", s.getBytes(StandardCharsets.UTF_8), OPTIONS).get(0).document().text());
        ReadOptions d = OPTIONS;
        ReadOptions latin = new ReadOptions(d.format(), d.maxRecordBytes(), d.textField(), d.idField(), d.urlField(),
                d.htmlMode(), d.mainMinChars(), "ISO-8859-15");
        assertEquals(s, read(SourceFormat.TEXT, "a.txt", s.getBytes(StandardCharsets.ISO_8859_1), latin).get(0).document().text());
        ReadOptions bogus = new ReadOptions(d.format(), d.maxRecordBytes(), d.textField(), d.idField(), d.urlField(),
                d.htmlMode(), d.mainMinChars(), "no-such-charset");
        assertEquals(s, read(SourceFormat.TEXT, "a.txt", s.getBytes(StandardCharsets.UTF_8), bogus).get(0).document().text());
    }

    @Test
    void gzipHtmlBinaryEmptyAndTooLarge() throws IOException {
        assertEquals("Zipped.", read(SourceFormat.TEXT, "a.txt.gz", gzip(ascii("Zipped.")), OPTIONS).get(0).document().text());
        assertEquals("Title para.", read(SourceFormat.TEXT, "p.html",
                ascii("<html><body><p>Title para.</p><script>x()</script></body></html>"), OPTIONS).get(0).document().text());
        assertEquals(RejectReasons.NOT_TEXT, read(SourceFormat.TEXT, "img.dat",
                new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10}, OPTIONS).get(0).reason());
        assertEquals(List.of(), read(SourceFormat.TEXT, "empty.txt", new byte[0], OPTIONS));
        assertEquals(RejectReasons.EMPTY, read(SourceFormat.TEXT, "blank.txt", ascii(" \n\n "), OPTIONS).get(0).reason());
        assertTrue(read(SourceFormat.TEXT, "a.txt", ascii("0123456789"), options("main", 10)).get(0).kept());
        Outcome big = read(SourceFormat.TEXT, "a.txt", ascii("0123456789"), options("main", 9)).get(0);
        assertEquals(RejectReasons.TOO_LARGE, big.reason());
        assertEquals("", big.document().text());
    }
}
