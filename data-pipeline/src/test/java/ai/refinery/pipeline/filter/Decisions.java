package ai.refinery.pipeline.filter;

import ai.refinery.pipeline.doc.Document;
import ai.refinery.pipeline.text.Hashing;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * datatrove's per-document decisions, as the bench's Python script writes them (id, one cell per filter of
 * {@link DatatroveParityMain#FILTERS}, words, sentences) or as the committed fixture holds them (id, text hash,
 * the four cells, words). A cell is "keep" or datatrove's reason. Rows map to {cell x4, words, text hash or null}.
 */
final class Decisions {
    static final String FIXTURE_RESOURCE = "/parity/datatrove-decisions.tsv";

    private Decisions() {
    }

    static Map<String, String[]> read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in);
        }
    }

    static Map<String, String[]> readFixture() {
        try (InputStream in = Decisions.class.getResourceAsStream(FIXTURE_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + FIXTURE_RESOURCE);
            }
            return read(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, String[]> read(InputStream in) throws IOException {
        Map<String, String[]> rows = new LinkedHashMap<>();
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        String header = null;
        String line;
        while ((line = reader.readLine()) != null) {
            if (line.startsWith("#") || line.isBlank()) {
                continue;
            }
            String[] cells = line.split("\t", -1);
            if (header == null) {
                header = line;
                continue;
            }
            boolean fixture = header.startsWith("id\ttext_hash\t");
            int first = fixture ? 2 : 1;
            rows.put(cells[0], new String[] {cells[first], cells[first + 1], cells[first + 2], cells[first + 3],
                cells[first + 4], fixture ? cells[1] : null});
        }
        return rows;
    }

    /** The hash that ties a fixture row to the text datatrove decided on. */
    static String textHash(String text) {
        return String.format("%016x", Hashing.hash(text));
    }

    static void write(List<Document> docs, Map<String, String[]> decisions, Path out) throws IOException {
        Files.createDirectories(out.toAbsolutePath().getParent());
        try (BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            w.write("# datatrove's decisions on the parity corpus built from the data-pipeline build's corpora\n");
            w.write("# (ParityCorpus). Written by bench/datatrove-parity.sh; see BENCHMARKS.md for the datatrove version.\n");
            w.write("id\ttext_hash\t" + String.join("\t", DatatroveParityMain.FILTERS) + "\twords\n");
            for (Document doc : docs) {
                String[] row = decisions.get(doc.id());
                if (row == null) {
                    continue;
                }
                w.write(doc.id() + "\t" + textHash(doc.text()) + "\t" + row[0] + "\t" + row[1] + "\t" + row[2] + "\t"
                        + row[3] + "\t" + row[4] + "\n");
            }
        }
    }
}
