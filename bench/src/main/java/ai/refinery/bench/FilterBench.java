package ai.refinery.bench;

import ai.refinery.core.config.Settings;
import ai.refinery.pipeline.doc.Document;
import ai.refinery.pipeline.filter.DocumentFilter;
import ai.refinery.pipeline.filter.FilterDefinitions;
import ai.refinery.pipeline.filter.FilterStages;
import ai.refinery.pipeline.filter.Outcome;
import ai.refinery.pipeline.funnel.FilterPipeline;
import ai.refinery.pipeline.read.ReadOptions;
import ai.refinery.pipeline.read.SourceFormat;
import ai.refinery.pipeline.read.SourceReaders;
import com.typesafe.config.Config;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Throughput of the heuristic filters alone on extracted text, one thread: every heuristic stage (all but
 * language ID) runs on every document, whatever the earlier stages decided, so the figure is the full cost.
 * Also times reading + extraction of the same WARC files, one thread, for the split of the job's cost.
 *
 * <p>The heuristic stages run once per {@code filter.definitions} mode (datatrove, then paper).
 *
 * <p>Usage: FilterBench WARC_DIR [ROUNDS] [heuristics] [datatrove|paper]   ("heuristics": skip the language-ID
 * timing; a mode: time that filter.definitions mode alone, so that neither mode's JIT profile affects the other)
 */
public final class FilterBench {
    public static void main(String[] args) throws Exception {
        Path dir = Paths.get(args[0]);
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.toString().endsWith(".warc.gz")).sorted().toList();
        }
        ReadOptions options = ReadOptions.defaults();
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long warcBytes = 0;
        for (Path file : files) {
            warcBytes += Files.size(file);
        }
        List<Document> docs = new ArrayList<>();
        // Two passes: the first warms the JIT up, the second is the figure.
        for (int pass = 1; pass <= 2; pass++) {
            docs = new ArrayList<>();
            long t0 = System.nanoTime();
            long c0 = threads.getCurrentThreadCpuTime();
            for (Path file : files) {
                try (InputStream in = Files.newInputStream(file)) {
                    Iterator<Outcome> it = SourceReaders.forFormat(SourceFormat.WARC).read(file.toUri().toString(), in, options);
                    while (it.hasNext()) {
                        Outcome o = it.next();
                        if (o.kept()) {
                            docs.add(o.document());
                        }
                    }
                }
            }
            double readSeconds = (System.nanoTime() - t0) / 1e9;
            double readCpu = (threads.getCurrentThreadCpuTime() - c0) / 1e9;
            long textBytes = docs.stream().mapToLong(d -> FilterPipeline.utf8Length(d.text())).sum();
            System.out.printf("read+extract pass %d: %d files, %.1f MB WARC -> %d documents, %.1f MB text in %.1f s wall, %.1f s CPU"
                            + " = %.2f MB/s of WARC per CPU-second%n", pass, files.size(), warcBytes / 1e6, docs.size(),
                    textBytes / 1e6, readSeconds, readCpu, warcBytes / 1e6 / readCpu);
        }
        long textBytes = docs.stream().mapToLong(d -> FilterPipeline.utf8Length(d.text())).sum();

        boolean heuristicsOnly = args.length > 2 && args[2].equals("heuristics");
        // Language ID alone, as configured by default (Lingua's low-accuracy models, first 2000 characters).
        DocumentFilter language = ai.refinery.pipeline.langid.LanguageFilter.fromConfig(Settings.defaults());
        for (int round = 0; round < (heuristicsOnly ? 0 : 3); round++) {
            long start = System.nanoTime();
            long c0 = threads.getCurrentThreadCpuTime();
            long kept = 0;
            for (Document doc : docs) {
                kept += language.apply(doc).kept() ? 1 : 0;
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            double cpu = (threads.getCurrentThreadCpuTime() - c0) / 1e9;
            System.out.printf("language ID round %d: %d documents (%d kept) in %.2f s wall, %.2f s CPU = %.0f docs per CPU-second,"
                            + " %.2f MB/s of WARC per CPU-second%n",
                    round + 1, docs.size(), kept, seconds, cpu, docs.size() / cpu, warcBytes / 1e6 / cpu);
        }

        List<FilterDefinitions> modes = args.length > 3
                ? List.of(FilterDefinitions.valueOf(args[3].toUpperCase(java.util.Locale.ROOT)))
                : List.of(FilterDefinitions.values());
        for (FilterDefinitions definitions : modes) {
        System.out.println("== filter.definitions = " + definitions.code());
        Config config = Settings.load(null, List.of(FilterDefinitions.KEY + "=" + definitions.code(),
                "filter.stages=[url_blocklist, gopher_repetition, gopher_quality, c4_quality, fineweb_quality, line_cleanup]"));
        List<DocumentFilter> filters = FilterStages.fromConfig(config, java.util.Map.of());
        long[] stageNanos = new long[filters.size()];
        double best = 0;
        double bestCpu = 0;
        for (int round = 0; round < rounds; round++) {
            long start = System.nanoTime();
            long cpuStart = threads.getCurrentThreadCpuTime();
            long kept = 0;
            for (Document doc : docs) {
                for (int i = 0; i < filters.size(); i++) {
                    long s = System.nanoTime();
                    if (filters.get(i).apply(doc).kept()) {
                        kept++;
                    }
                    stageNanos[i] += System.nanoTime() - s;
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            // CPU time of this thread: the per-core figure that stays honest when other work shares the cores.
            double cpuSeconds = (threads.getCurrentThreadCpuTime() - cpuStart) / 1e9;
            double mbps = textBytes / 1e6 / seconds;
            best = Math.max(best, mbps);
            bestCpu = Math.max(bestCpu, textBytes / 1e6 / cpuSeconds);
            System.out.printf("round %d: all heuristic filters on every document: %.2f s wall (%.1f MB/s), %.2f s CPU (%.1f MB/s per CPU-second) (%d stage passes)%n",
                    round + 1, seconds, mbps, cpuSeconds, textBytes / 1e6 / cpuSeconds, kept);
        }
        for (int i = 0; i < filters.size(); i++) {
            System.out.printf("  %-18s %.1f MB/s alone%n", filters.get(i).name(), textBytes / 1e6 * rounds / (stageNanos[i] / 1e9));
        }
        System.out.printf("best (%s): %.1f MB/s per core wall, %.1f MB/s per CPU-second (target >= 20)%n",
                definitions.code(), best, bestCpu);
        // As the job runs them: each stage on the previous stage's output (C4's shortened text reaches FineWeb),
        // still every stage on every document.
        double bestChain = 0;
        for (int round = 0; round < rounds; round++) {
            long cpuStart = threads.getCurrentThreadCpuTime();
            long kept = 0;
            for (Document doc : docs) {
                Document current = doc;
                for (DocumentFilter filter : filters) {
                    Outcome outcome = filter.apply(current);
                    kept += outcome.kept() ? 1 : 0;
                    current = outcome.document();
                }
            }
            double cpuSeconds = (threads.getCurrentThreadCpuTime() - cpuStart) / 1e9;
            bestChain = Math.max(bestChain, textBytes / 1e6 / cpuSeconds);
            if (kept < 0) {
                System.out.println(kept);
            }
        }
        System.out.printf("best (%s), each stage on the previous one's output: %.1f MB/s per CPU-second%n",
                definitions.code(), bestChain);
        }
    }
}
