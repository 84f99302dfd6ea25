package ai.refinery.pipeline.read;

import ai.refinery.pipeline.filter.Outcome;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/** Test helpers: the real corpus files, and WARC records built byte by byte. */
final class WarcTestFiles {
    private WarcTestFiles() {
    }

    static Path corpus(String name) {
        return Path.of(System.getProperty("refinery.corpora", "target/corpora"), "warc", "test-documents", name);
    }

    static byte[] bytes(String name) throws IOException {
        return Files.readAllBytes(corpus(name));
    }

    static Path scratch(String name) throws IOException {
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "read-tests");
        Files.createDirectories(dir);
        return dir.resolve(name);
    }

    static List<Outcome> read(SourceFormat format, String source, byte[] data, ReadOptions options) throws IOException {
        return read(format, source, new ByteArrayInputStream(data), options);
    }

    static List<Outcome> read(SourceFormat format, String source, InputStream in, ReadOptions options) throws IOException {
        List<Outcome> out = new ArrayList<>();
        Iterator<Outcome> it = SourceReaders.forFormat(format).read(source, in, options);
        it.forEachRemaining(out::add);
        return out;
    }

    static ReadOptions options(String htmlMode, long maxRecordBytes) {
        ReadOptions d = ReadOptions.defaults();
        return new ReadOptions(d.format(), maxRecordBytes, d.textField(), d.idField(), d.urlField(), htmlMode,
                d.mainMinChars(), d.defaultCharset());
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** One WARC/1.0 record with the given block. */
    static byte[] record(String type, String recordId, String uri, String contentType, byte[] block) {
        StringBuilder h = new StringBuilder("WARC/1.0\r\n");
        h.append("WARC-Type: ").append(type).append("\r\n");
        h.append("WARC-Record-ID: ").append(recordId).append("\r\n");
        h.append("WARC-Date: 2024-03-01T12:00:00Z\r\n");
        if (uri != null) {
            h.append("WARC-Target-URI: ").append(uri).append("\r\n");
        }
        if (contentType != null) {
            h.append("Content-Type: ").append(contentType).append("\r\n");
        }
        h.append("Content-Length: ").append(block.length).append("\r\n\r\n");
        return concat(ascii(h.toString()), block, ascii("\r\n\r\n"));
    }

    /** A response record around an HTTP 200 response with the given Content-Type header (null: none). */
    static byte[] response(String recordId, String uri, String httpContentType, byte[] body) {
        String head = "HTTP/1.1 200 OK\r\n" + (httpContentType == null ? "" : "Content-Type: " + httpContentType + "\r\n")
                + "Content-Length: " + body.length + "\r\n\r\n";
        return record("response", recordId, uri, "application/http; msgtype=response", concat(ascii(head), body));
    }

    static String uuid(int n) {
        return String.format("<urn:uuid:00000000-0000-4000-8000-%012d>", n);
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    /** Each record gzipped on its own, as Common Crawl writes WARC files. */
    static byte[] perRecordGzip(List<byte[]> records) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] r : records) {
            out.writeBytes(gzip(r));
        }
        return out.toByteArray();
    }

    /** Splits an uncompressed WARC file into its records (header, Content-Length block, trailing CRLFs). */
    static List<byte[]> splitRecords(byte[] warc) {
        List<byte[]> out = new ArrayList<>();
        int p = 0;
        while (p < warc.length) {
            int headerEnd = indexOf(warc, ascii("\r\n\r\n"), p);
            String header = new String(warc, p, headerEnd - p, StandardCharsets.ISO_8859_1);
            long length = -1;
            for (String line : header.split("\r\n")) {
                if (line.toLowerCase().startsWith("content-length:")) {
                    length = Long.parseLong(line.substring(15).trim());
                }
            }
            int end = (int) (headerEnd + 4 + length);
            while (end < warc.length && (warc[end] == '\r' || warc[end] == '\n')) {
                end++;
            }
            byte[] rec = new byte[end - p];
            System.arraycopy(warc, p, rec, 0, rec.length);
            out.add(rec);
            p = end;
        }
        return out;
    }

    static int indexOf(byte[] hay, byte[] needle, int from) {
        outer:
        for (int i = from; i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
