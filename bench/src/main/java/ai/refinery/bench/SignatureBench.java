package ai.refinery.bench;

import ai.refinery.dedup.DedupSettings;
import ai.refinery.dedup.DocumentFeatures;
import ai.refinery.dedup.MinHasher;
import ai.refinery.dedup.Shingler;
import ai.refinery.dedup.TextNormalizer;
import ai.refinery.dedup.Verification;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * MinHash feature throughput on real text, one thread, no Spark: what the dedup job's feature pass does per
 * document (normalisation, exact key, word 5-gram shingling with xxHash64, 14 x 8 MinHash signature, band keys),
 * with the default settings. MB are UTF-8 bytes of the input text; MB/s per CPU-second of this thread is given
 * beside wall-clock MB/s, because the machine is shared.
 *
 * <p>Usage: SignatureBench DOCS ROUNDS HTML_DIR...
 */
public final class SignatureBench {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    public static void main(String[] args) {
        int docs = Integer.parseInt(args[0]);
        int rounds = Integer.parseInt(args[1]);
        List<Path> html = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
            html.add(Path.of(args[i]));
        }
        DedupCorpus corpus = DedupCorpus.fromHtml(html, 1, 2000, 5000, 0.0);
        List<String> texts = new ArrayList<>(docs);
        long bytes = 0;
        for (int i = 0; i < docs; i++) {
            String t = corpus.doc(i).text();
            texts.add(t);
            bytes += t.getBytes(StandardCharsets.UTF_8).length;
        }
        System.out.printf("corpus: %d documents, %.1f MB of UTF-8 text (pool: %d distinct paragraphs)%n",
                docs, bytes / 1e6, corpus.poolParagraphs());

        DedupSettings settings = DedupSettings.defaults();
        DocumentFeatures asInTheJob = new DocumentFeatures(settings);
        DocumentFeatures bandsOnly = new DocumentFeatures(settings.withVerification(Verification.OFF, settings.threshold()));
        Shingler shingler = settings.shingler();
        MinHasher hasher = settings.minHasher();
        List<String> normalized = texts.stream().map(TextNormalizer::normalize).toList();
        List<long[]> shingles = normalized.stream().map(shingler::shingles).toList();
        List<long[]> signatures = shingles.stream().map(hasher::signature).toList();
        long shingleCount = shingles.stream().mapToLong(s -> s.length).sum();
        long checksum = 0;
        for (long[] sig : signatures) {
            checksum = checksum * 31 + java.util.Arrays.hashCode(sig);
        }
        // Equal checksums before and after a change to the hashing code: the signatures are bit-identical.
        System.out.printf("%.0f distinct shingles per document on average; signature checksum %016x%n",
                (double) shingleCount / docs, checksum);

        for (int round = 1; round <= rounds; round++) {
            System.out.printf("round %d%n", round);
            double total = measure("  all features, signature rows (verify=off: band keys only)", bytes, texts,
                    t -> bandsOnly.compute(t).getInt(2));
            measure("  all features as the default job computes them (verify=exact: + shingle set)", bytes, texts,
                    t -> asInTheJob.compute(t).getInt(2));
            measure("    normalisation", bytes, texts, t -> TextNormalizer.normalize(t).length());
            measure("    shingling + xxHash64 (sorted distinct)", bytes, normalized, t -> shingler.shingles(t).length);
            measure("    MinHash signature, 112 permutations", bytes, shingles, s -> hasher.signature(s).length);
            measure("    band keys, 14 x xxHash64", bytes, signatures, s -> hasher.bandKeys(s).length);
            if (round == rounds) {
                System.out.printf("result: %.1f MB/s per core (CPU time) for the signature features (target >= 15)%n", total);
            }
        }
    }

    /** Runs work on every input; prints wall and CPU MB/s; returns MB per CPU-second. */
    private static <T> double measure(String what, long bytes, List<T> inputs, ToLongFunction<T> work) {
        long sink = 0;
        long cpu0 = THREADS.getCurrentThreadCpuTime();
        long wall0 = System.nanoTime();
        for (T input : inputs) {
            sink += work.applyAsLong(input);
        }
        double wall = (System.nanoTime() - wall0) / 1e9;
        double cpu = (THREADS.getCurrentThreadCpuTime() - cpu0) / 1e9;
        System.out.printf("%-80s %6.1f MB/s (CPU)  %6.1f MB/s (wall)  [%d]%n", what, bytes / 1e6 / cpu, bytes / 1e6 / wall,
                sink % 10);
        return bytes / 1e6 / cpu;
    }
}
