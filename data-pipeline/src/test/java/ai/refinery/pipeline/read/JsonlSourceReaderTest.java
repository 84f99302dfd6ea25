package ai.refinery.pipeline.read;

import ai.refinery.pipeline.doc.DocumentIds;
import ai.refinery.pipeline.filter.Outcome;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static ai.refinery.pipeline.read.WarcTestFiles.*;
import static org.junit.jupiter.api.Assertions.*;

class JsonlSourceReaderTest {
    private static final String SRC = "file:/data/part-0.jsonl";

    private static List<Outcome> read(String content, ReadOptions o) throws IOException {
        return WarcTestFiles.read(SourceFormat.JSONL, SRC, content.getBytes(StandardCharsets.UTF_8), o);
    }

    @Test
    void oneDocumentPerLineWithGivenOrDerivedIds() throws IOException {
        List<Outcome> out = read("""
                {"id": "doc-7", "text": "First text.", "url": "http://a.example/1"}
                {"text": "Second text.\\nWith a second line.", "other": [1, 2]}

                {"id": 42, "text": "Numeric id.", "url": null}
                """, ReadOptions.defaults());
        assertEquals(3, out.size());
        assertTrue(out.stream().allMatch(Outcome::kept));
        assertEquals("doc-7", out.get(0).document().id());
        assertEquals("http://a.example/1", out.get(0).document().url());
        assertEquals("line:1", out.get(0).document().recordId());
        assertEquals(DocumentIds.of(SRC, "line:2", false), out.get(1).document().id());
        assertEquals("Second text.\nWith a second line.", out.get(1).document().text());
        assertNull(out.get(1).document().url());
        assertEquals("42", out.get(2).document().id());
        assertEquals("line:4", out.get(2).document().recordId(), "blank lines still count as lines");
        assertEquals("jsonl", out.get(2).document().format());
        assertEquals(SRC, out.get(2).document().source());
    }

    @Test
    void fieldNamesComeFromTheOptions() throws IOException {
        ReadOptions d = ReadOptions.defaults();
        ReadOptions o = new ReadOptions(d.format(), d.maxRecordBytes(), "content", "doc_id", "link", d.htmlMode(),
                d.mainMinChars(), d.defaultCharset());
        Outcome x = read("{\"content\": \"Body.\", \"doc_id\": \"k1\", \"link\": \"http://l.example/\", \"text\": \"no\"}\n", o).get(0);
        assertEquals("Body.", x.document().text());
        assertEquals("k1", x.document().id());
        assertEquals("http://l.example/", x.document().url());
    }

    @Test
    void brokenLinesAreUnreadableAndReadingGoesOn() throws IOException {
        List<Outcome> out = read("""
                {"text": "ok 1"}
                {"text": "unterminated
                [1, 2, 3]
                {"id": "x", "body": "no text field"}
                {"text": 17}
                {"text": "   "}
                {"text": "ok 2"}""", ReadOptions.defaults());
        assertEquals(List.of("keep", "unreadable", "unreadable", "unreadable", "unreadable", "empty", "keep"),
                out.stream().map(o -> o.kept() ? "keep" : o.reason()).toList());
        assertEquals(DocumentIds.of(SRC, "line:2", false), out.get(1).document().id());
        assertEquals("line:2", out.get(1).document().recordId());
        assertEquals("x", out.get(3).document().id(), "a rejection keeps the line's own id");
        assertEquals("ok 2", out.get(6).document().text());
    }

    @Test
    void gzipInputAndTruncatedGzip() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            sb.append("{\"text\": \"line number ").append(i).append(" with some words to compress\"}\n");
        }
        byte[] gz = gzip(sb.toString().getBytes(StandardCharsets.UTF_8));
        List<Outcome> all = WarcTestFiles.read(SourceFormat.JSONL, "s.jsonl.gz", gz, ReadOptions.defaults());
        assertEquals(200, all.size());
        assertTrue(all.stream().allMatch(Outcome::kept));
        List<Outcome> cut = WarcTestFiles.read(SourceFormat.JSONL, "s.jsonl.gz", Arrays.copyOf(gz, gz.length / 2),
                ReadOptions.defaults());
        Outcome last = cut.get(cut.size() - 1);
        assertEquals(RejectReasons.UNREADABLE, last.reason());
        assertTrue(last.detail().contains("truncated"), last.detail());
        assertTrue(cut.subList(0, cut.size() - 1).stream().allMatch(Outcome::kept));
        assertTrue(cut.size() > 10 && cut.size() < 200, "cut at " + cut.size());
    }

    @Test
    void overlongLineIsTooLargeAtTheThreshold() throws IOException {
        String line = "{\"text\": \"abcdefghij\"}"; // 22 bytes
        ReadOptions atLimit = options("main", 22);
        ReadOptions below = options("main", 21);
        assertTrue(read(line + "\n{\"text\": \"x\"}\n", atLimit).get(0).kept());
        List<Outcome> out = read(line + "\n{\"text\": \"x\"}\n", below);
        assertEquals(RejectReasons.TOO_LARGE, out.get(0).reason());
        assertEquals("x", out.get(1).document().text());
    }

    @Test
    void emptyFileAndBom() throws IOException {
        assertEquals(List.of(), read("", ReadOptions.defaults()));
        byte[] bom = concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, ascii("{\"text\": \"after bom\"}"));
        assertEquals("after bom", WarcTestFiles.read(SourceFormat.JSONL, "s", bom, ReadOptions.defaults()).get(0).document().text());
    }
}
