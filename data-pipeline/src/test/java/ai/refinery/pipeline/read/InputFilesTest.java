package ai.refinery.pipeline.read;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static ai.refinery.pipeline.read.WarcTestFiles.*;
import static org.junit.jupiter.api.Assertions.*;

class InputFilesTest {
    private static Path root;
    private static final Configuration CONF = new Configuration();

    @BeforeAll
    static void tree() throws IOException {
        root = scratch("inputs");
        if (Files.exists(root)) {
            try (Stream<Path> s = Files.walk(root)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        for (String f : List.of("crawl/a.warc.gz", "crawl/b.wet.gz", "crawl/sub/c.warc", "crawl/_SUCCESS",
                "crawl/.a.warc.gz.crc", "crawl/_temporary/x.warc.gz", "crawl/.hidden/y.warc", "json/p1.jsonl",
                "json/p2.jsonl.gz", "json/data.parquet", "books/k.txt", "empty/.keep")) {
            Path p = root.resolve(f);
            Files.createDirectories(p.getParent());
            Files.write(p, f.endsWith(".gz") ? gzip(ascii("x")) : ascii("x"));
        }
    }

    private static List<String> names(InputFiles.Resolution r) {
        return r.files().stream().map(f -> f.uri().substring(f.uri().indexOf("/inputs/") + 8) + "=" + f.format().code()).toList();
    }

    @Test
    void foldersAreRecursiveAndSkipHiddenAndUnderscoreNames() throws IOException {
        InputFiles.Resolution r = InputFiles.resolve(List.of(root.resolve("crawl").toString()), CONF, "auto");
        assertEquals(List.of("crawl/a.warc.gz=warc", "crawl/b.wet.gz=wet", "crawl/sub/c.warc=warc"), names(r));
        assertEquals(List.of(), r.unmatched());
        assertTrue(r.files().get(0).uri().startsWith("file:/"), r.files().get(0).uri());
    }

    @Test
    void commasGlobsUrisDuplicatesAndUnmatched() throws IOException {
        String json = root.resolve("json").toString();
        String books = root.resolve("books/k.txt").toUri().toString(); // file: URI
        InputFiles.Resolution r = InputFiles.resolve(List.of(json + "/*.jsonl*, " + books,
                        root.resolve("nothing-here").toString(), json + "/p1.jsonl", root.resolve("empty").toString(),
                        json + "/*.csv", "nosuchscheme://host/x"),
                CONF, "auto");
        assertEquals(List.of("books/k.txt=text", "json/p1.jsonl=jsonl", "json/p2.jsonl.gz=jsonl"), names(r));
        assertEquals(List.of(root.resolve("nothing-here").toString(), root.resolve("empty").toString(),
                json + "/*.csv", "nosuchscheme://host/x"), r.unmatched());
    }

    @Test
    void forcedFormat() throws IOException {
        InputFiles.Resolution r = InputFiles.resolve(List.of(root.resolve("books").toString()), CONF, "jsonl");
        assertEquals(List.of("books/k.txt=jsonl"), names(r));
    }

    @Test
    void openKeepsGzipForReadersOrDecompresses() throws IOException {
        String uri = root.resolve("json/p2.jsonl.gz").toUri().toString();
        try (InputStream raw = InputFiles.openForReader(uri, CONF)) {
            byte[] b = raw.readAllBytes();
            assertEquals(0x1F, b[0] & 0xFF);
        }
        try (InputStream plain = InputFiles.open(uri, CONF, true)) {
            assertEquals("x", new String(plain.readAllBytes(), StandardCharsets.UTF_8));
        }
    }
}
