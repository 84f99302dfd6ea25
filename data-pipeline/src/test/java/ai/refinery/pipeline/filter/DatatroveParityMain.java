package ai.refinery.pipeline.filter;

import ai.refinery.core.config.Settings;
import ai.refinery.pipeline.doc.Document;
import ai.refinery.pipeline.text.DatatroveWords;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The datatrove parity benchmark's Java side (bench/datatrove-parity.sh runs it):
 * <pre>
 * DatatroveParityMain export CORPUS.jsonl [--handbook DIR] [--mail DIR]
 *     writes the parity corpus ({@link ParityCorpus}) as JSONL {id, kind, text} for datatrove
 * DatatroveParityMain compare DECISIONS.tsv [--handbook DIR] [--mail DIR] [--fixture OUT.tsv]
 *     runs Refinery's four stages in both definition modes on the same texts, prints agreement with
 *     datatrove's decisions per filter, disagreements by rule and examples; --fixture writes datatrove's
 *     decisions on the build's corpora (not the handbook) as the test fixture of {@link DatatroveParityTest}
 * </pre>
 * The corpora folder is the system property refinery.corpora (default data-pipeline/target/corpora).
 */
public final class DatatroveParityMain {
    static final List<String> FILTERS = List.of(GopherRepetitionFilter.NAME, GopherQualityFilter.NAME,
            C4QualityFilter.NAME, FineWebQualityFilter.NAME);

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: export CORPUS.jsonl [--handbook DIR] [--mail DIR]"
                    + " | compare DECISIONS.tsv [--handbook DIR] [--mail DIR] [--fixture OUT.tsv]");
            System.exit(2);
        }
        Path handbook = null;
        Path mail = null;
        Path fixture = null;
        for (int i = 2; i < args.length; i++) {
            switch (args[i]) {
                case "--fixture" -> fixture = Path.of(args[++i]);
                case "--handbook" -> handbook = Path.of(args[++i]);
                case "--mail" -> mail = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        List<Document> docs = new ArrayList<>(ParityCorpus.fromBuildCorpora(ParityCorpus.corporaRoot()));
        int buildDocs = docs.size();
        if (handbook != null) {
            docs.addAll(ParityCorpus.handbook(handbook));
        }
        if (mail != null) {
            docs.addAll(ParityCorpus.mail(mail));
        }
        if (args[0].equals("export")) {
            export(docs, Path.of(args[1]));
        } else {
            Map<String, String[]> datatrove = Decisions.read(Path.of(args[1]));
            compare(docs, datatrove, System.out);
            if (fixture != null) {
                Decisions.write(docs.subList(0, buildDocs), datatrove, fixture);
                System.out.println("wrote " + fixture + " (" + buildDocs + " documents)");
            }
        }
    }

    static void export(List<Document> docs, Path out) throws IOException {
        ObjectMapper json = new ObjectMapper();
        try (BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            for (Document doc : docs) {
                ObjectNode node = json.createObjectNode();
                node.put("id", doc.id());
                node.put("kind", doc.source());
                node.put("text", doc.text());
                w.write(json.writeValueAsString(node));
                w.write('\n');
            }
        }
        System.out.println("wrote " + docs.size() + " documents to " + out);
    }

    /** Refinery's four stages under the given definitions, with every other setting at its default. */
    static List<DocumentFilter> stages(FilterDefinitions definitions) {
        Config config = Settings.load(null, List.of(FilterDefinitions.KEY + "=" + definitions.code(),
                "filter.stages=[" + String.join(",", FILTERS) + "]"));
        return FilterStages.fromConfig(config);
    }

    static void compare(List<Document> docs, Map<String, String[]> datatrove, PrintStream out) {
        out.printf(Locale.ROOT, "%d documents: %s%n", docs.size(), kinds(docs));
        for (FilterDefinitions definitions : FilterDefinitions.values()) {
            List<DocumentFilter> stages = stages(definitions);
            out.printf(Locale.ROOT, "%n== filter.definitions = %s%n", definitions.code());
            out.println("| filter | documents | same keep/drop | Refinery keeps | datatrove keeps |");
            out.println("| --- | --- | --- | --- | --- |");
            List<String> details = new ArrayList<>();
            for (int f = 0; f < FILTERS.size(); f++) {
                DocumentFilter stage = stages.get(f);
                int compared = 0;
                int same = 0;
                int oursKept = 0;
                int theirsKept = 0;
                Map<String, Integer> byRule = new TreeMap<>();
                List<String> examples = new ArrayList<>();
                for (Document doc : docs) {
                    String[] row = datatrove.get(doc.id());
                    if (row == null) {
                        continue;
                    }
                    compared++;
                    Outcome outcome = stage.apply(doc);
                    boolean theirs = row[f].equals("keep");
                    oursKept += outcome.kept() ? 1 : 0;
                    theirsKept += theirs ? 1 : 0;
                    if (outcome.kept() == theirs) {
                        same++;
                    } else {
                        String key = "datatrove " + row[f] + " / Refinery " + (outcome.kept() ? "keep" : outcome.reason());
                        byRule.merge(key, 1, Integer::sum);
                        if (examples.size() < 4) {
                            examples.add(doc.id() + ": " + key + (outcome.kept() ? "" : " (" + outcome.detail() + ")")
                                    + " [datatrove words " + row[4] + ", ours " + DatatroveWords.words(doc.text()).size() + "]");
                        }
                    }
                }
                out.printf(Locale.ROOT, "| %s | %d | %.1f%% | %.1f%% | %.1f%% |%n", FILTERS.get(f), compared,
                        100.0 * same / compared, 100.0 * oursKept / compared, 100.0 * theirsKept / compared);
                details.add(FILTERS.get(f) + ": " + (compared - same) + " disagreements");
                byRule.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue())
                        .forEach(e -> details.add("    " + e.getValue() + "  " + e.getKey()));
                examples.forEach(e -> details.add("    e.g. " + e));
            }
            details.forEach(out::println);
        }
        int sameWords = 0;
        int compared = 0;
        for (Document doc : docs) {
            String[] row = datatrove.get(doc.id());
            if (row != null) {
                compared++;
                sameWords += Integer.parseInt(row[4]) == DatatroveWords.words(doc.text()).size() ? 1 : 0;
            }
        }
        out.printf(Locale.ROOT, "%nword counts equal to datatrove's: %d of %d documents (%.1f%%)%n", sameWords, compared,
                100.0 * sameWords / compared);
    }

    private static String kinds(List<Document> docs) {
        Map<String, Integer> kinds = new LinkedHashMap<>();
        for (Document doc : docs) {
            kinds.merge(doc.id().substring(0, doc.id().indexOf('/')) + " (" + doc.source() + ")", 1, Integer::sum);
        }
        return kinds.toString();
    }
}
