package ai.refinery.pipeline.read;

import ai.refinery.pipeline.doc.DocumentIds;
import ai.refinery.pipeline.filter.Outcome;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static ai.refinery.pipeline.read.WarcTestFiles.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * WET files. No Maven artifact carries a real Common Crawl WET file, so the test writes one the way Common Crawl
 * does (a warcinfo record, then one text/plain conversion record per page, each gzipped on its own) from the real
 * Common Crawl and web-archive pages of the WARC test files, converted with our own extractor.
 */
class WetSourceReaderTest {
    private static final ReadOptions OPTIONS = ReadOptions.defaults();

    @Test
    void conversionRecordsOfRealPagesAreDocuments() throws IOException {
        List<Outcome> pages = new ArrayList<>();
        pages.addAll(read(SourceFormat.WARC, "file:/cc.warc.gz", bytes("cc.warc.gz"), OPTIONS));
        pages.addAll(read(SourceFormat.WARC, "file:/m.warc", bytes("testWARC_multiple.warc"), OPTIONS));
        pages.removeIf(o -> !o.kept());
        assertEquals(2, pages.size());

        List<byte[]> records = new ArrayList<>();
        records.add(record("warcinfo", uuid(100), null, "application/warc-fields",
                ascii("Software-Info: refinery-test\r\nExtracted-Date: Fri, 01 Mar 2024 12:00:00 GMT\r\n")));
        int n = 0;
        for (Outcome p : pages) {
            byte[] text = p.document().text().getBytes(StandardCharsets.UTF_8);
            records.add(wetRecord(uuid(200 + n++), p.document().url(), p.document().recordId(), text));
        }
        records.add(wetRecord(uuid(299), "http://empty.example/", uuid(298), new byte[0]));
        Path wet = scratch("CC-TEST-00000.warc.wet.gz");
        Files.write(wet, perRecordGzip(records));

        assertEquals(SourceFormat.WET, SourceFormat.fromFileName(wet.getFileName().toString()));
        String source = wet.toUri().toString();
        List<Outcome> out;
        try (InputStream in = Files.newInputStream(wet)) {
            out = read(SourceFormat.WET, source, in, OPTIONS);
        }
        assertEquals(3, out.size(), "3 conversion records; warcinfo is not a document");
        for (int i = 0; i < 2; i++) {
            Outcome o = out.get(i);
            assertTrue(o.kept());
            assertEquals("wet", o.document().format());
            assertEquals(uuid(200 + i), o.document().recordId());
            assertEquals(DocumentIds.of(source, uuid(200 + i), true), o.document().id());
            assertEquals(pages.get(i).document().url(), o.document().url());
            assertEquals(pages.get(i).document().text(), o.document().text(), "WET text is taken as it is");
            assertEquals("2024-03-01T12:00:00Z", o.document().fetchTime());
        }
        assertTrue(out.get(0).document().text().contains("We build and maintain an open repository of web crawl data"));
        assertTrue(out.get(1).document().text().contains("Civil War Home Page"));
        assertEquals(RejectReasons.EMPTY, out.get(2).reason());
        assertEquals("http://empty.example/", out.get(2).document().url());
        Files.delete(wet);
    }

    @Test
    void wetTextKeepsLinesAndNormalisesLineEnds() throws IOException {
        byte[] text = ascii("First line  \r\nSecond line\r\n\r\nNew paragraph\r\n");
        List<Outcome> out = read(SourceFormat.WET, "s", wetRecord(uuid(1), "http://a.example/", uuid(2), text), OPTIONS);
        assertEquals("First line\nSecond line\n\nNew paragraph", out.get(0).document().text());
    }

    private static byte[] wetRecord(String id, String uri, String refersTo, byte[] text) {
        String h = "WARC/1.0\r\nWARC-Type: conversion\r\nWARC-Target-URI: " + uri + "\r\nWARC-Date: 2024-03-01T12:00:00Z\r\n"
                + "WARC-Record-ID: " + id + "\r\nWARC-Refers-To: " + refersTo + "\r\n"
                + "WARC-Block-Digest: sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\r\nContent-Type: text/plain\r\n"
                + "Content-Length: " + text.length + "\r\n\r\n";
        return concat(ascii(h), text, ascii("\r\n\r\n"));
    }
}
