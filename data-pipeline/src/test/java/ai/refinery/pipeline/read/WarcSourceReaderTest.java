package ai.refinery.pipeline.read;

import ai.refinery.pipeline.doc.Document;
import ai.refinery.pipeline.doc.DocumentIds;
import ai.refinery.pipeline.filter.Outcome;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.zip.ZipFile;

import static ai.refinery.pipeline.read.WarcTestFiles.*;
import static org.junit.jupiter.api.Assertions.*;

/** The WARC reader on the real Common Crawl and web-archive test files. */
class WarcSourceReaderTest {
    static final String CC_ID = "<urn:uuid:ececb7b0-ed4d-4d27-9ae8-2676df51cf7d>";
    static final String RUSSELL_ID = "<urn:uuid:220a24ae-f576-11ed-bd26-0242ac110002>";
    static final String JPG_ID = "<urn:uuid:fe238d2a-f578-11ed-ab47-0242ac110002>";
    static final Set<String> REQUEST_IDS = Set.of("<urn:uuid:7f4efda8-ad81-4b13-866e-8535c3bfb04f>",
            "<urn:uuid:3b378a82-05a8-4c3f-842e-9a5abafbe068>");

    private static final ReadOptions MAIN = ReadOptions.defaults();
    private static final ReadOptions BODY = options("body", MAIN.maxRecordBytes());

    @Test
    void commonCrawlResponseIsOneDocumentWithItsIdsAndText() throws IOException {
        String source = "file:/data/cc.warc.gz";
        List<Outcome> out = read(SourceFormat.WARC, source, bytes("cc.warc.gz"), MAIN);
        assertEquals(1, out.size());
        Outcome o = out.get(0);
        assertTrue(o.kept(), o.toString());
        Document d = o.document();
        assertEquals(DocumentIds.of(source, CC_ID, true), d.id());
        assertEquals(CC_ID, d.recordId());
        assertEquals("http://commoncrawl.org/", d.url());
        assertEquals("2019-12-10T10:00:01Z", d.fetchTime());
        assertEquals("warc", d.format());
        assertEquals(source, d.source());
        assertTrue(d.text().contains("We build and maintain an open repository of web crawl data that can be accessed "
                + "and analyzed by anyone."), d.text());
        // paragraphs stay paragraphs: separated by one blank line
        assertTrue(d.text().contains("Need years of free web page data to help change the world.\n\n"
                + "Access to data is a good thing, right?"), d.text());
        // main mode drops the site navigation and footer that body mode keeps
        assertFalse(d.text().contains("Common Crawl on Twitter"));
        assertFalse(d.text().contains("Job Opportunities"));
        String body = read(SourceFormat.WARC, source, bytes("cc.warc.gz"), BODY).get(0).document().text();
        assertTrue(body.contains("Common Crawl on Twitter"));
        assertTrue(body.contains("What We Do\nWhat You Can Do\nFAQs"), body); // list items are lines
        assertTrue(body.contains("We build and maintain an open repository of web crawl data"));
        assertFalse(body.contains("<div") || body.contains("function("), "markup or script leaked");
    }

    @Test
    void onlyResponsesAreDocumentsAndNonTextPayloadsAreRejected() throws IOException {
        for (String name : new String[] {"testWARC_multiple.warc", "testWARC_multiple.warc.gz"}) {
            List<Outcome> out = read(SourceFormat.WARC, "file:/" + name, bytes(name), MAIN);
            assertEquals(2, out.size(), name + ": 2 responses; the 2 request records are not documents");
            Outcome page = out.get(0);
            assertTrue(page.kept());
            assertEquals(RUSSELL_ID, page.document().recordId());
            assertEquals("https://russellvets.org/", page.document().url());
            assertTrue(page.document().text().startsWith("Civil War Home Page - Detailed information on over 1,200 "
                    + "Civil War soldiers"), page.document().text());
            assertTrue(page.document().text().contains("\n\n1860 Census - 1860 Slave Schedules to the 1860 Census; "
                    + "only the owners are named.\n\n"));
            Outcome jpg = out.get(1);
            assertFalse(jpg.kept());
            assertEquals(RejectReasons.NOT_TEXT, jpg.reason());
            assertEquals(JPG_ID, jpg.document().recordId());
            assertEquals("https://russellvets.org/images/signatures/kendrick_joseph_b.jpg", jpg.document().url());
            assertEquals("", jpg.document().text());
            Set<String> ids = out.stream().map(x -> x.document().recordId()).collect(Collectors.toSet());
            assertTrue(ids.stream().noneMatch(REQUEST_IDS::contains));
        }
    }

    @Test
    void warcinfoAloneGivesNoDocuments() throws IOException {
        // gzip member with the FEXTRA field set, holding a single warcinfo record
        assertEquals(List.of(), read(SourceFormat.WARC, "file:/g.warc.gz", bytes("gzip_extra_sl.warc.gz"), MAIN));
    }

    @Test
    void metadataRequestRevisitAndWarcinfoAreNotDocuments() throws IOException {
        byte[] html = ascii("<html><body><p>Some words on a page that are long enough to keep.</p></body></html>");
        byte[] file = concat(
                record("warcinfo", uuid(1), null, "application/warc-fields", ascii("software: test\r\n")),
                record("request", uuid(2), "http://a.example/", "application/http; msgtype=request",
                        ascii("GET / HTTP/1.1\r\nHost: a.example\r\n\r\n")),
                response(uuid(3), "http://a.example/", "text/html", html),
                record("metadata", uuid(4), "http://a.example/", "application/warc-fields", ascii("fetchTimeMs: 5\r\n")),
                record("revisit", uuid(5), "http://a.example/", "application/http; msgtype=response",
                        ascii("HTTP/1.1 200 OK\r\n\r\n")),
                record("resource", uuid(6), "http://a.example/notes.txt", "text/plain", ascii("Plain notes.\r\nLine two.")));
        List<Outcome> out = read(SourceFormat.WARC, "file:/x.warc", file, MAIN);
        assertEquals(List.of(uuid(3), uuid(6)), out.stream().map(o -> o.document().recordId()).toList());
        assertTrue(out.get(0).kept());
        assertEquals("Some words on a page that are long enough to keep.", out.get(0).document().text());
        assertEquals("Plain notes.\nLine two.", out.get(1).document().text());
    }

    @Test
    void idsAreStableAcrossReadsAndIndependentOfPosition() throws IOException {
        List<Outcome> a = read(SourceFormat.WARC, "file:/a.warc", bytes("testWARC_multiple.warc"), MAIN);
        List<Outcome> b = read(SourceFormat.WARC, "file:/a.warc", bytes("testWARC_multiple.warc.gz"), MAIN);
        assertEquals(a.get(0).document().id(), b.get(0).document().id());
        assertEquals(a.get(0).document().text(), b.get(0).document().text());
        assertNotEquals(a.get(0).document().id(), a.get(1).document().id());
    }

    @Test
    void emptyFileHasNoRecords() throws IOException {
        assertEquals(List.of(), read(SourceFormat.WARC, "file:/e.warc", new byte[0], MAIN));
        assertEquals(List.of(), read(SourceFormat.WET, "file:/e.wet.gz", new byte[0], MAIN));
    }

    @Test
    void pageWithoutTextIsEmpty() throws IOException {
        byte[] file = concat(
                response(uuid(1), "http://a.example/", "text/html; charset=utf-8",
                        ascii("<html><head><title>T</title><script>var x = 1;</script></head><body> <img src=a.png> </body></html>")),
                response(uuid(2), "http://a.example/r", "text/html", new byte[0]));
        List<Outcome> out = read(SourceFormat.WARC, "file:/x.warc", file, MAIN);
        assertEquals(2, out.size());
        for (Outcome o : out) {
            assertEquals(RejectReasons.EMPTY, o.reason(), o.toString());
            assertEquals(RejectReasons.STAGE, "read");
            assertEquals("", o.document().text());
            assertNotNull(o.document().url());
        }
    }

    @Test
    void pdfAndBinaryPayloadsAreNotText() throws IOException {
        byte[] pdf = ascii("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n");
        byte[] file = concat(
                response(uuid(1), "http://a.example/doc.pdf", "application/pdf", pdf),
                response(uuid(2), "http://a.example/mislabelled", "text/html", pdf),
                response(uuid(3), "http://a.example/blob", null, new byte[] {'a', 'b', 0, 1, 2, 3, 'c'}),
                response(uuid(4), "http://a.example/style.css", "text/css", ascii("body { color: red }")),
                response(uuid(5), "http://a.example/untyped", null,
                        ascii("<!DOCTYPE html><html><body><p>Served without a content type.</p></body></html>")));
        List<Outcome> out = read(SourceFormat.WARC, "file:/x.warc", file, MAIN);
        assertEquals(5, out.size());
        assertEquals(RejectReasons.NOT_TEXT, out.get(0).reason());
        assertTrue(out.get(0).detail().contains("application/pdf"));
        assertEquals(RejectReasons.NOT_TEXT, out.get(1).reason());
        assertTrue(out.get(1).detail().contains("sniffed"), out.get(1).detail());
        assertEquals(RejectReasons.NOT_TEXT, out.get(2).reason());
        assertEquals(RejectReasons.NOT_TEXT, out.get(3).reason());
        assertTrue(out.get(4).kept());
        assertEquals("Served without a content type.", out.get(4).document().text());
    }

    @Test
    void tooLargeIsDecidedByTheDeclaredLengthAtTheThreshold() throws IOException {
        byte[] body = ascii("<html><body><p>Exactly sized.</p></body></html>");
        byte[] rec = response(uuid(1), "http://a.example/", "text/html", body);
        String header = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: " + body.length + "\r\n\r\n";
        long blockLength = header.length() + body.length;
        assertTrue(read(SourceFormat.WARC, "s", rec, options("main", blockLength)).get(0).kept());
        Outcome over = read(SourceFormat.WARC, "s", rec, options("main", blockLength - 1)).get(0);
        assertEquals(RejectReasons.TOO_LARGE, over.reason());
        assertEquals(uuid(1), over.document().recordId());
    }

    @Test
    void gzipIsRecognisedByContentNotByName() throws IOException {
        // the WARC inside the real WACZ test archive: per-record gzip although named .warc; two warcinfo records,
        // one response, one request
        byte[] warc;
        try (ZipFile zip = new ZipFile(corpus("testWACZ.wacz").toFile())) {
            warc = zip.getInputStream(zip.getEntry("archive/example-collection.warc")).readAllBytes();
        }
        assertEquals(0x1F, warc[0] & 0xFF);
        List<Outcome> out = read(SourceFormat.WARC, "file:/example-collection.warc", warc, MAIN);
        assertEquals(1, out.size());
        Document d = out.get(0).document();
        assertEquals("<urn:uuid:38f87378-08e3-11eb-9da5-542696d5febd>", d.recordId());
        assertEquals("http://www.example.com/", d.url());
        // the main content is shorter than main_min_chars (200), so the whole body is kept
        assertEquals("Example Domain\n\nThis domain is for use in illustrative examples in documents. You may use this "
                + "domain in literature without prior coordination or asking for permission.\n\nMore information...",
                d.text());
        ReadOptions noFallback = new ReadOptions(MAIN.format(), MAIN.maxRecordBytes(), MAIN.textField(), MAIN.idField(),
                MAIN.urlField(), "main", 0, MAIN.defaultCharset());
        assertFalse(read(SourceFormat.WARC, "s", warc, noFallback).get(0).document().text().contains("More information"),
                "a paragraph that is one link is navigation in main mode");
    }
}
