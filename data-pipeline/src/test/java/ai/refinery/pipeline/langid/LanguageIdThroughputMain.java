package ai.refinery.pipeline.langid;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Detection throughput and model heap on real multilingual text (the UDHR pages and Tika's test files, as
 * documents of up to max_chars characters).
 * <pre>
 * mvn -B -q -pl data-pipeline test-compile
 * java -Xmx4g -cp "data-pipeline/target/test-classes:data-pipeline/target/classes:$(cat cp.txt)" \
 *   -Drefinery.corpora=data-pipeline/target/corpora ai.refinery.pipeline.langid.LanguageIdThroughputMain low 2000 1 20
 * </pre>
 * Arguments: accuracy (low|high), max_chars, threads, seconds to measure (after one warm-up pass), and
 * optionally a piece size in characters to cut all text into short documents.
 */
public final class LanguageIdThroughputMain {

    public static void main(String[] args) throws Exception {
        LanguageIdentifier.Accuracy accuracy = LanguageIdentifier.Accuracy.parse(args.length > 0 ? args[0] : "low");
        int maxChars = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        double seconds = args.length > 3 ? Double.parseDouble(args[3]) : 20;
        // Documents: whole UDHR pages and Tika files cut to max_chars, or, with a fifth argument, everything cut
        // into pieces of that many characters (short texts are where the high-accuracy mode costs more).
        int pieceChars = args.length > 4 ? Integer.parseInt(args[4]) : 0;

        List<String> docs = new ArrayList<>();
        int cut = pieceChars > 0 ? pieceChars : maxChars;
        for (LangidCorpora.UdhrPage page : LangidCorpora.udhrPages()) {
            if (pieceChars > 0) {
                docs.addAll(LangidCorpora.chunks(page.text(), cut));
            } else {
                docs.add(page.text());
            }
        }
        for (String lang : LangidCorpora.TIKA_LANGUAGES) {
            docs.addAll(LangidCorpora.chunks(LangidCorpora.read(
                    LangidCorpora.tikaDir().resolve("language-tests/" + lang + ".test")), cut));
        }
        long examinedBytes = 0;
        long examinedChars = 0;
        for (String d : docs) {
            String p = LanguageIdentifier.prefix(d, maxChars);
            examinedBytes += p.getBytes(StandardCharsets.UTF_8).length;
            examinedChars += p.length();
        }

        Runtime rt = Runtime.getRuntime();
        long heapBefore = usedHeap(rt);
        LanguageIdentifier id = new LanguageIdentifier(accuracy, maxChars);
        long t0 = System.nanoTime();
        for (String d : docs) {
            id.detect(d);
        }
        double warmup = (System.nanoTime() - t0) / 1e9;
        long heapAfter = usedHeap(rt);
        System.out.printf(Locale.ROOT, "accuracy=%s max_chars=%d docs=%d examined=%.2f MB (%d chars, mean %.0f chars/doc)%n",
                accuracy, maxChars, docs.size(), examinedBytes / 1e6, examinedChars, examinedChars / (double) docs.size());
        System.out.printf(Locale.ROOT, "first pass (loads models lazily): %.1f s; heap retained by models: %.0f MB%n",
                warmup, (heapAfter - heapBefore) / 1048576.0);

        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        long start = System.nanoTime();
        List<Future<long[]>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            final int offset = t * docs.size() / threads;
            futures.add(pool.submit(() -> {
                long bytes = 0;
                long n = 0;
                int i = offset;
                while (System.nanoTime() < deadline) {
                    String d = docs.get(i);
                    id.detect(d);
                    bytes += LanguageIdentifier.prefix(d, maxChars).getBytes(StandardCharsets.UTF_8).length;
                    n++;
                    i = (i + 1) % docs.size();
                }
                return new long[] {bytes, n};
            }));
        }
        long bytes = 0;
        long n = 0;
        for (Future<long[]> f : futures) {
            long[] r = f.get();
            bytes += r[0];
            n += r[1];
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        System.out.printf(Locale.ROOT, "threads=%d: %d docs in %.1f s = %.0f docs/s, %.3f MB/s examined text (%.3f MB/s per thread)%n",
                threads, n, elapsed, n / elapsed, bytes / 1e6 / elapsed, bytes / 1e6 / elapsed / threads);
    }

    private static long usedHeap(Runtime rt) throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return rt.totalMemory() - rt.freeMemory();
    }
}
