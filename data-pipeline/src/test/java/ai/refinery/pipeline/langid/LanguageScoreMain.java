package ai.refinery.pipeline.langid;

import ai.refinery.pipeline.extract.HtmlTextExtractor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * How the language score behaves on real single-language pages that carry code, names and numbers (the
 * en-US pages of the Debian Administrator's Handbook: prose with command lines, file names, package names and
 * configuration excerpts), against 50/50 mixtures of an English and a German or French page of the same
 * handbook. Prints the share of each group under the threshold and the lowest-scoring English pages.
 *
 * <p>Usage: LanguageScoreMain HANDBOOK_DIR [THRESHOLD]   (bench/fetch-data.sh fetches the handbook)
 */
public final class LanguageScoreMain {
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        double threshold = args.length > 1 ? Double.parseDouble(args[1]) : 0.65;
        LanguageIdentifier id = new LanguageIdentifier(LanguageIdentifier.Accuracy.LOW, 2000);
        HtmlTextExtractor extractor = new HtmlTextExtractor(HtmlTextExtractor.Mode.MAIN, 200);
        List<Path> pages = list(dir.resolve("en-US"));
        int under = 0;
        int notEnglish = 0;
        List<String> lowest = new ArrayList<>();
        int mixtures = 0;
        int mixturesUnder = 0;
        for (Path page : pages) {
            String text = extractor.extract(Files.readString(page, StandardCharsets.UTF_8), null);
            Detection d = id.detect(text);
            if (!d.language().equals("en")) {
                notEnglish++;
            }
            if (d.score() < threshold) {
                under++;
                lowest.add(String.format(Locale.ROOT, "%.3f %s %s", d.score(), d.language(), page.getFileName()));
            }
            for (String other : new String[] {"de-DE", "fr-FR"}) {
                Path translated = dir.resolve(other).resolve(page.getFileName());
                if (!Files.exists(translated)) {
                    continue;
                }
                String second = extractor.extract(Files.readString(translated, StandardCharsets.UTF_8), null);
                if (second.equals(text) || id.detect(second).language().equals("en")) {
                    continue; // the page is not translated
                }
                String mix = text.substring(0, Math.min(1000, text.length())) + "\n"
                        + second.substring(0, Math.min(1000, second.length()));
                mixtures++;
                if (id.detect(mix).score() < threshold) {
                    mixturesUnder++;
                }
            }
        }
        System.out.printf(Locale.ROOT, "en-US handbook pages: %d, score < %.2f: %d (%.1f%%), not detected as en: %d%n",
                pages.size(), threshold, under, 100.0 * under / pages.size(), notEnglish);
        System.out.printf(Locale.ROOT, "50/50 English + German/French mixtures: %d, score < %.2f: %d (%.1f%%)%n",
                mixtures, threshold, mixturesUnder, 100.0 * mixturesUnder / Math.max(1, mixtures));
        lowest.stream().sorted().limit(20).forEach(s -> System.out.println("  " + s));
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".html")).sorted().toList();
        }
    }
}
