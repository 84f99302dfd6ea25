package ai.refinery.pipeline.filter;

import ai.refinery.core.config.Settings;
import ai.refinery.pipeline.doc.Document;
import com.typesafe.config.Config;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Single-threaded throughput of the six heuristic filters on real text: the Tika language-test corpora
 * (Europarl and other texts), cut into documents of about 4 KB and repeated to the requested size. Every
 * document goes through every filter whatever the previous verdict, so the figure is a lower bound for a
 * chain that stops at the first rejection. Times are the CPU time of the measuring thread, best of three
 * rounds after a warm-up round.
 *
 * <p>Run from the repository root:
 * <pre>
 * mvn -B -q -pl data-pipeline test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp data-pipeline/target/classes:data-pipeline/target/test-classes:$(cat data-pipeline/target/cp.txt) \
 *   ai.refinery.pipeline.filter.FilterThroughputMain data-pipeline/target/corpora 32 en
 * </pre>
 * Arguments: corpora folder, megabytes of text, languages of the test files ("en", "de,fr" or "all").
 */
public final class FilterThroughputMain {
    public static void main(String[] args) throws IOException {
        Path corpora = Path.of(args.length > 0 ? args[0] : System.getProperty("refinery.corpora", "data-pipeline/target/corpora"));
        int targetMb = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        String languages = args.length > 2 ? args[2] : "en";
        Path dir = corpora.resolve("langid/org/apache/tika/langdetect/language-tests");

        List<String> pieces = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.sorted().toList()) {
                String lang = file.getFileName().toString().replace(".test", "");
                if (languages.equals("all") || List.of(languages.split(",")).contains(lang)) {
                    pieces.addAll(cut(Files.readString(file, StandardCharsets.UTF_8), 4000));
                }
            }
        }
        if (pieces.isEmpty()) {
            throw new IllegalStateException("no text found under " + dir);
        }
        List<Document> docs = new ArrayList<>();
        long bytes = 0;
        for (int i = 0; bytes < targetMb * 1_000_000L; i++) {
            String text = pieces.get(i % pieces.size());
            docs.add(Document.of("doc-" + i, text, "https://www.example.org/page/" + i, "bench", "text", "line:" + i, null));
            bytes += text.getBytes(StandardCharsets.UTF_8).length;
        }

        Config config = Settings.defaults();
        List<DocumentFilter> filters = List.of(
                UrlBlocklistFilter.fromConfig(config), GopherRepetitionFilter.fromConfig(config),
                GopherQualityFilter.fromConfig(config), C4QualityFilter.fromConfig(config),
                FineWebQualityFilter.fromConfig(config), LineCleanupFilter.fromConfig(config));

        System.out.printf(Locale.ROOT, "%d documents, %.1f MB (UTF-8), languages: %s%n", docs.size(), bytes / 1e6, languages);
        // CPU time of this thread, not wall time: the figure should not depend on what else the machine runs.
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long[] best = new long[filters.size() + 1];
        java.util.Arrays.fill(best, Long.MAX_VALUE);
        long bestProcess = Long.MAX_VALUE;
        Map<String, Integer> verdicts = new TreeMap<>();
        for (int round = 0; round < 4; round++) {
            for (int f = 0; f <= filters.size(); f++) {
                List<DocumentFilter> chain = f < filters.size() ? List.of(filters.get(f)) : filters;
                long t0 = threads.getCurrentThreadCpuTime();
                long p0 = os.getProcessCpuTime();
                int kept = 0;
                for (Document doc : docs) {
                    for (DocumentFilter filter : chain) {
                        if (filter.apply(doc).kept()) {
                            kept++;
                        }
                    }
                }
                long cpu = threads.getCurrentThreadCpuTime() - t0;
                long process = os.getProcessCpuTime() - p0;
                if (round > 0) { // round 0 warms up the JIT
                    best[f] = Math.min(best[f], cpu);
                    if (f == filters.size()) {
                        bestProcess = Math.min(bestProcess, process);
                    }
                }
                if (kept < 0) {
                    System.out.println(kept); // keeps the loop from being optimised away
                }
            }
        }
        for (Document doc : docs) {
            for (DocumentFilter filter : filters) {
                Outcome outcome = filter.apply(doc);
                verdicts.merge(filter.name() + ":" + (outcome.kept() ? "keep" : outcome.reason()), 1, Integer::sum);
            }
        }
        for (int f = 0; f < filters.size(); f++) {
            System.out.printf(Locale.ROOT, "  %-18s %8.1f MB/s%n", filters.get(f).name(), bytes / 1e6 / (best[f] / 1e9));
        }
        long total = best[filters.size()];
        System.out.printf(Locale.ROOT, "all six filters: %.1f MB/s per core, single-threaded (%.2f s CPU for %.1f MB)%n",
                bytes / 1e6 / (total / 1e9), total / 1e9, bytes / 1e6);
        System.out.printf(Locale.ROOT, "all six filters, process CPU (garbage collection included): %.1f MB/s%n",
                bytes / 1e6 / (bestProcess / 1e9));
        verdicts.forEach((k, v) -> System.out.printf(Locale.ROOT, "  %-45s %d%n", k, v));
    }

    /** Cuts text at line boundaries into pieces of about maxChars. */
    private static List<String> cut(String text, int maxChars) {
        List<String> pieces = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            if (current.length() > 0 && current.length() + line.length() > maxChars) {
                pieces.add(current.toString());
                current.setLength(0);
            }
            current.append(line).append('\n');
        }
        if (current.length() > 0) {
            pieces.add(current.toString());
        }
        return pieces;
    }
}
