package ai.refinery.pipeline.read;

import ai.refinery.pipeline.filter.Outcome;
import org.junit.jupiter.api.Test;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static ai.refinery.pipeline.read.WarcTestFiles.*;
import static org.junit.jupiter.api.Assertions.*;

/** Damaged input: each bad stretch is one unreadable rejection, the records around it are still read. */
class WarcDamageTest {
    private static final ReadOptions OPTIONS = ReadOptions.defaults();

    /** cc.warc.gz's member followed by the four records of testWARC_multiple.warc, each gzipped on its own. */
    private static List<byte[]> members() throws IOException {
        List<byte[]> members = new ArrayList<>();
        members.add(bytes("cc.warc.gz"));
        for (byte[] r : splitRecords(bytes("testWARC_multiple.warc"))) {
            members.add(gzip(r));
        }
        return members;
    }

    private static List<String> summary(List<Outcome> out) {
        return out.stream().map(o -> o.kept() ? "keep " + o.document().recordId()
                : o.reason() + " " + o.document().recordId()).toList();
    }

    @Test
    void perRecordGzipReadsAllRecords() throws IOException {
        List<Outcome> out = read(SourceFormat.WARC, "s", concat(members().toArray(new byte[0][])), OPTIONS);
        assertEquals(List.of("keep " + WarcSourceReaderTest.CC_ID, "keep " + WarcSourceReaderTest.RUSSELL_ID,
                "not-text " + WarcSourceReaderTest.JPG_ID), summary(out));
    }

    @Test
    void truncatedGzipKeepsRecordsBeforeTheCutAndEndsWithOneRejection() throws IOException {
        List<byte[]> m = members();
        byte[] whole = concat(m.get(0), m.get(1), m.get(2), m.get(3));
        // cut in the middle of the third member (the image response)
        int cut = m.get(0).length + m.get(1).length + m.get(2).length + m.get(3).length / 2;
        List<Outcome> out = read(SourceFormat.WARC, "s", Arrays.copyOf(whole, cut), OPTIONS);
        assertEquals(3, out.size(), summary(out).toString());
        assertTrue(out.get(0).kept());
        assertTrue(out.get(1).kept());
        assertEquals(RejectReasons.UNREADABLE, out.get(2).reason());
        assertTrue(out.get(2).detail().contains("truncated"), out.get(2).detail());
        assertEquals("", out.get(2).document().text());
        assertEquals(RejectReasons.STAGE, "read");

        // a cut inside the gzip header of the next member, and a cut after the deflate data but before the trailer
        int atHeader = m.get(0).length + 5;
        assertEquals(List.of("keep " + WarcSourceReaderTest.CC_ID), summary(read(SourceFormat.WARC, "s",
                Arrays.copyOf(whole, atHeader), OPTIONS)).subList(0, 1));
        assertEquals(2, read(SourceFormat.WARC, "s", Arrays.copyOf(whole, atHeader), OPTIONS).size());
        int inTrailer = m.get(0).length - 4;
        List<Outcome> t = read(SourceFormat.WARC, "s", Arrays.copyOf(whole, inTrailer), OPTIONS);
        assertEquals(RejectReasons.UNREADABLE, t.get(t.size() - 1).reason());
    }

    @Test
    void garbageBetweenGzipMembersIsOneRejectionAndReadingResumes() throws IOException {
        List<byte[]> m = members();
        byte[] garbage = new byte[3000];
        new Random(7).nextBytes(garbage);
        garbage[0] = 0x1F; // a false start: magic without the deflate method byte
        garbage[1] = (byte) 0x8B;
        garbage[2] = 0;
        byte[] file = concat(m.get(0), garbage, m.get(1), m.get(2), m.get(3), m.get(4));
        List<Outcome> out = read(SourceFormat.WARC, "s", file, OPTIONS);
        assertEquals(List.of("keep " + WarcSourceReaderTest.CC_ID, "unreadable raw-offset:" + m.get(0).length,
                "keep " + WarcSourceReaderTest.RUSSELL_ID, "not-text " + WarcSourceReaderTest.JPG_ID), summary(out));
        assertTrue(out.get(1).detail().contains("3000 bytes"), out.get(1).detail());
    }

    @Test
    void corruptMemberIsOneRejectionAndReadingResumes() throws IOException {
        List<byte[]> m = members();
        byte[] bad = m.get(0).clone();
        for (int i = bad.length / 2; i < bad.length / 2 + 64; i++) {
            bad[i] = (byte) 0xFF;
        }
        List<Outcome> out = read(SourceFormat.WARC, "s", concat(bad, m.get(1), m.get(2), m.get(3)), OPTIONS);
        assertEquals(3, out.size(), summary(out).toString());
        assertEquals(RejectReasons.UNREADABLE, out.get(0).reason());
        assertEquals("keep " + WarcSourceReaderTest.RUSSELL_ID, summary(out).get(1));
        assertEquals("not-text " + WarcSourceReaderTest.JPG_ID, summary(out).get(2));
    }

    @Test
    void garbageBetweenPlainRecordsIsOneRejectionAndReadingResumes() throws IOException {
        List<byte[]> r = splitRecords(bytes("testWARC_multiple.warc"));
        byte[] garbage = ascii("this is not a record\r\nnor is this WARC/1.0 mention\r\n\u0000\u0001binary tail");
        byte[] file = concat(r.get(0), garbage, r.get(1), r.get(2), garbage, r.get(3));
        List<Outcome> out = read(SourceFormat.WARC, "s", file, OPTIONS);
        List<String> s = summary(out);
        assertEquals(4, s.size(), s.toString());
        assertEquals("keep " + WarcSourceReaderTest.RUSSELL_ID, s.get(0));
        assertEquals(RejectReasons.UNREADABLE, out.get(1).reason());
        assertTrue(out.get(1).detail().contains(garbage.length + " bytes"), out.get(1).detail());
        assertEquals("not-text " + WarcSourceReaderTest.JPG_ID, s.get(2));
        assertEquals(RejectReasons.UNREADABLE, out.get(3).reason());

        // garbage before the first record, and garbage as the whole file
        assertEquals(2, read(SourceFormat.WARC, "s", concat(garbage, r.get(0)), OPTIONS).size());
        List<Outcome> only = read(SourceFormat.WARC, "s", garbage, OPTIONS);
        assertEquals(1, only.size());
        assertEquals(RejectReasons.UNREADABLE, only.get(0).reason());
    }

    @Test
    void recordWithoutContentLengthIsUnreadableAndTheNextIsRead() throws IOException {
        byte[] broken = ascii("WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: " + uuid(9) + "\r\n\r\nHTTP/1.1 200 OK\r\n\r\nhello\r\n\r\n");
        byte[] good = response(uuid(10), "http://a.example/", "text/plain", ascii("A good record."));
        List<Outcome> out = read(SourceFormat.WARC, "s", concat(broken, good), OPTIONS);
        assertEquals(List.of("unreadable " + uuid(9), "keep " + uuid(10)), summary(out));
    }

    @Test
    void truncatedPlainRecordIsOneRejection() throws IOException {
        byte[] file = bytes("testWARC_multiple.warc");
        List<Outcome> out = read(SourceFormat.WARC, "s", Arrays.copyOf(file, 1000), OPTIONS);
        assertEquals(List.of("unreadable " + WarcSourceReaderTest.RUSSELL_ID), summary(out));
    }

    @Test
    void fiftyMegabytePageIsRejectedByItsDeclaredLengthWithoutBeingHeld() throws IOException {
        long size = 50L * 1024 * 1024;
        Path file = scratch("huge.warc");
        String http = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n";
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            out.write(ascii("WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: " + uuid(1)
                    + "\r\nWARC-Target-URI: http://big.example/\r\nContent-Type: application/http; msgtype=response\r\n"
                    + "Content-Length: " + size + "\r\n\r\n" + http));
            byte[] chunk = new byte[1 << 20];
            Arrays.fill(chunk, (byte) 'a');
            long left = size - http.length();
            while (left > 0) {
                int n = (int) Math.min(left, chunk.length);
                out.write(chunk, 0, n);
                left -= n;
            }
            out.write(ascii("\r\n\r\n"));
            out.write(response(uuid(2), "http://small.example/", "text/plain", ascii("Small page after the big one.")));
        }
        assertEquals(size + 290, Files.size(file), 400); // sanity: the file really is ~50 MB
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long allocatedBefore = threads.getCurrentThreadAllocatedBytes();
        long t0 = System.nanoTime();
        List<Outcome> out;
        try (InputStream in = Files.newInputStream(file)) {
            out = read(SourceFormat.WARC, file.toUri().toString(), in, OPTIONS);
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        long allocated = threads.getCurrentThreadAllocatedBytes() - allocatedBefore;
        assertEquals(List.of("too-large " + uuid(1), "keep " + uuid(2)), summary(out));
        assertEquals("http://big.example/", out.get(0).document().url());
        assertTrue(out.get(0).detail().contains(Long.toString(size)), out.get(0).detail());
        // streamed through fixed buffers: far less memory allocated than the page's 50 MB
        assertTrue(allocated < 8L * 1024 * 1024, "allocated " + allocated + " bytes");
        assertTrue(ms < 10_000, "skipping took " + ms + " ms");
        Files.delete(file);
    }
}
