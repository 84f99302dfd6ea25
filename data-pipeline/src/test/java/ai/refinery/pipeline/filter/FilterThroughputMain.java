package ai.refinery.pipeline.filter;

import ai.refinery.pipeline.config.Settings;
import ai.refinery.pipeline.doc.Document;
import com.typesafe.config.Config;

import java.io.IOException;
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
 * chain that stops at the first rejection.
 *
 * <p>Run after {@code mvn -pl data-pipeline test-compile}:
 * <pre>java -cp data-pipeline/target/classes:data-pipeline/target/test-classes:$(cat cp.txt) \
 *   ai.refinery.pipeline.filter.FilterThroughputMain [corpora dir] [MB] [languages, e.g. en or all]</pre>
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
        run(filters, docs, bytes, false); // warm-up
        run(filters, docs, bytes, true);
    }

    private static void run(List<DocumentFilter> filters, List<Document> docs, long bytes, boolean report) {
        long[] nanos = new long[filters.size()];
        Map<String, Integer> verdicts = new TreeMap<>();
        long start = System.nanoTime();
        for (Document doc : docs) {
            for (int f = 0; f < filters.size(); f++) {
                long t0 = System.nanoTime();
                Outcome outcome = filters.get(f).apply(doc);
                nanos[f] += System.nanoTime() - t0;
                if (report) {
                    verdicts.merge(filters.get(f).name() + ":" + (outcome.kept() ? "keep" : outcome.reason()), 1, Integer::sum);
                }
            }
        }
        long total = System.nanoTime() - start;
        if (!report) {
            return;
        }
        for (int f = 0; f < filters.size(); f++) {
            System.out.printf(Locale.ROOT, "  %-18s %8.1f MB/s%n", filters.get(f).name(), bytes / 1e6 / (nanos[f] / 1e9));
        }
        System.out.printf(Locale.ROOT, "all six filters: %.1f MB/s single-threaded (%.2f s)%n", bytes / 1e6 / (total / 1e9), total / 1e9);
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
