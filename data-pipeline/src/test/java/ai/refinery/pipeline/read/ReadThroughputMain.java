package ai.refinery.pipeline.read;

import ai.refinery.pipeline.extract.HtmlTextExtractor;
import ai.refinery.pipeline.filter.Outcome;
import net.dankito.readability4j.Readability4J;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/**
 * Read-stage throughput on the real WARC files of the test corpus: reads and extracts them over and over on one
 * thread (so the figure is per core) for both extract.html_mode values, and compares our main-content extraction with
 * Readability4J on the same HTML pages. Rounds of each contender alternate and the best round counts, which keeps
 * the comparison fair on a busy machine.
 *
 * <p>Usage: ReadThroughputMain [rounds] [seconds per round]; the corpus folder comes from -Drefinery.corpora.
 */
public final class ReadThroughputMain {
    private static final String[] FILES = {"cc.warc.gz", "testWARC_multiple.warc", "testWARC_multiple.warc.gz",
            "gzip_extra_sl.warc.gz"};

    public static void main(String[] args) throws IOException {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 1.0;
        Path dir = Path.of(System.getProperty("refinery.corpora", "target/corpora"), "warc", "test-documents");
        List<byte[]> files = new ArrayList<>();
        long stored = 0;
        long uncompressed = 0;
        for (String name : FILES) {
            byte[] b = Files.readAllBytes(dir.resolve(name));
            files.add(b);
            stored += b.length;
            uncompressed += name.endsWith(".gz") ? new GZIPInputStream(new ByteArrayInputStream(b)).readAllBytes().length
                    : b.length;
        }
        List<String> pages = new ArrayList<>();
        long htmlBytes = 0;
        for (String name : new String[] {"cc.warc.gz", "testWARC_multiple.warc"}) {
            for (String html : HtmlPages.of(dir.resolve(name))) {
                pages.add(html);
                htmlBytes += html.getBytes(StandardCharsets.UTF_8).length;
            }
        }
        System.out.printf("corpus: %d WARC files, %d bytes as stored, %d bytes uncompressed; %d HTML pages, %d bytes%n",
                files.size(), stored, uncompressed, pages.size(), htmlBytes);

        ReadOptions main = WarcTestFiles.options("main", ReadOptions.defaults().maxRecordBytes());
        ReadOptions body = WarcTestFiles.options("body", ReadOptions.defaults().maxRecordBytes());
        HtmlTextExtractor ours = new HtmlTextExtractor(HtmlTextExtractor.Mode.MAIN, main.mainMinChars());
        double bestMain = 0;
        double bestBody = 0;
        double bestOurs = 0;
        double bestR4j = 0;
        for (int round = 0; round <= rounds; round++) { // round 0 warms up the JIT
            double m = passesPerSecond(() -> readAll(files, main), seconds);
            double b = passesPerSecond(() -> readAll(files, body), seconds);
            double o = passesPerSecond(() -> pages.forEach(p -> ours.extract(p, "http://example.com/")), seconds);
            double r = passesPerSecond(() -> pages.forEach(
                    p -> new Readability4J("http://example.com/", p).parse().getTextContent()), seconds);
            if (round > 0) {
                bestMain = Math.max(bestMain, m);
                bestBody = Math.max(bestBody, b);
                bestOurs = Math.max(bestOurs, o);
                bestR4j = Math.max(bestR4j, r);
            }
        }
        System.out.printf(Locale.ROOT, "read+extract html_mode=main: %.1f MB/s of WARC as stored (%.1f MB/s uncompressed) per core%n",
                bestMain * stored / 1e6, bestMain * uncompressed / 1e6);
        System.out.printf(Locale.ROOT, "read+extract html_mode=body: %.1f MB/s of WARC as stored (%.1f MB/s uncompressed) per core%n",
                bestBody * stored / 1e6, bestBody * uncompressed / 1e6);
        System.out.printf(Locale.ROOT, "HTML -> main text, ours (jsoup + link density): %.1f MB/s of HTML per core%n",
                bestOurs * htmlBytes / 1e6);
        System.out.printf(Locale.ROOT, "HTML -> main text, Readability4J:               %.1f MB/s of HTML per core (%.1fx slower)%n",
                bestR4j * htmlBytes / 1e6, bestOurs / bestR4j);
    }

    private interface Pass {
        void run() throws IOException;
    }

    private static double passesPerSecond(Pass pass, double seconds) throws IOException {
        long n = 0;
        long t0 = System.nanoTime();
        long end = t0 + (long) (seconds * 1e9);
        do {
            pass.run();
            n++;
        } while (System.nanoTime() < end);
        return n / ((System.nanoTime() - t0) / 1e9);
    }

    private static void readAll(List<byte[]> files, ReadOptions o) throws IOException {
        for (byte[] b : files) {
            Iterator<Outcome> it = SourceReaders.forFormat(SourceFormat.WARC).read("file:/bench.warc.gz",
                    new ByteArrayInputStream(b), o);
            while (it.hasNext()) {
                it.next();
            }
        }
    }
}
