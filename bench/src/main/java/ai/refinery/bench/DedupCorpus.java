package ai.refinery.bench;

import ai.refinery.dedup.TextNormalizer;
import ai.refinery.pipeline.extract.HtmlTextExtractor;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * A reproducible dedup corpus of any size made of real text with planted duplicates at known edit rates.
 *
 * <p>The text pool is the distinct paragraphs (at least {@link #MIN_WORDS} words, distinct after dedup's own
 * normalisation) of real HTML pages, extracted with the project's extractor. Document {@code i} is a pure
 * function of (seed, i): with probability {@code 1 - duplicateShare} it is an original, random pool paragraphs
 * appended until its length is drawn uniformly from [minChars, maxChars]; otherwise it is a copy of an earlier
 * original whose words are each, at a rate drawn from {@link #EDIT_RATES}, substituted, deleted or preceded by an
 * inserted word (rate 0: a byte-identical copy). Copies of one original are near-duplicates of each other too.
 */
public final class DedupCorpus implements Serializable {
    private static final long serialVersionUID = 1L;
    static final int MIN_WORDS = 8;
    /** Share of edited words; word 5-gram Jaccard with the original is about (1 - 5r) / (1 + 5r). */
    static final double[] EDIT_RATES = {0.0, 0.005, 0.01, 0.02, 0.03, 0.05, 0.10};
    /** Share of documents that are copies: near-duplicates are a third or more of a crawl dump's documents. */
    static final double DUPLICATE_SHARE = 0.3;

    private final String[] paragraphs;
    private final String[] words;
    private final long seed;
    private final int minChars;
    private final int maxChars;
    private final double duplicateShare;

    /** One document: its id, text, the index of the original it copies (its own when original), the edit rate. */
    public record Doc(String id, String text, long original, double editRate) {
    }

    DedupCorpus(String[] paragraphs, String[] words, long seed, int minChars, int maxChars, double duplicateShare) {
        if (paragraphs.length == 0 || minChars < 1 || maxChars < minChars) {
            throw new IllegalArgumentException("empty pool or bad length range");
        }
        this.paragraphs = paragraphs;
        this.words = words;
        this.seed = seed;
        this.minChars = minChars;
        this.maxChars = maxChars;
        this.duplicateShare = duplicateShare;
    }

    /** Extracts the paragraph pool of every .html file under the folders (sorted, so the pool is reproducible). */
    public static DedupCorpus fromHtml(List<Path> htmlDirs, long seed, int minChars, int maxChars, double duplicateShare) {
        HtmlTextExtractor extractor = new HtmlTextExtractor(HtmlTextExtractor.Mode.MAIN, 200);
        Set<String> seen = new HashSet<>();
        List<String> pool = new ArrayList<>();
        Set<String> vocabulary = new LinkedHashSet<>();
        for (Path page : htmlFiles(htmlDirs)) {
            String html;
            try {
                html = Files.readString(page, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            for (String paragraph : extractor.extract(html, page.toUri().toString()).split("\n\\s*\n")) {
                String p = paragraph.strip();
                String[] tokens = p.split("\\s+");
                if (tokens.length >= MIN_WORDS && seen.add(TextNormalizer.normalize(p))) {
                    pool.add(p);
                    for (String t : tokens) {
                        vocabulary.add(t);
                    }
                }
            }
        }
        return new DedupCorpus(pool.toArray(new String[0]), vocabulary.toArray(new String[0]), seed, minChars,
                maxChars, duplicateShare);
    }

    private static List<Path> htmlFiles(List<Path> dirs) {
        List<Path> files = new ArrayList<>();
        for (Path dir : dirs) {
            try (Stream<Path> s = Files.walk(dir)) {
                s.filter(p -> p.toString().endsWith(".html")).sorted().forEach(files::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return files;
    }

    public int poolParagraphs() {
        return paragraphs.length;
    }

    public long poolChars() {
        long n = 0;
        for (String p : paragraphs) {
            n += p.length();
        }
        return n;
    }

    public static String id(long index) {
        return String.format("doc-%08d", index);
    }

    public Doc doc(long index) {
        SplittableRandom random = afterCopyDraw(index);
        if (!isCopy(index)) {
            return new Doc(id(index), original(random), index, 0.0);
        }
        long source = random.nextLong(index);
        while (isCopy(source)) {
            source = afterCopyDraw(source).nextLong(source); // the draw doc(source) made: copies copy originals
        }
        double rate = EDIT_RATES[random.nextInt(EDIT_RATES.length)];
        String text = original(afterCopyDraw(source));
        return new Doc(id(index), rate == 0.0 ? text : edit(text, rate, random), source, rate);
    }

    /** Index 0 is always an original, so every copy has one to copy. */
    private boolean isCopy(long index) {
        return index > 0 && random(index).nextDouble() < duplicateShare;
    }

    /** The random stream of document i after its first draw (copy or original). */
    private SplittableRandom afterCopyDraw(long index) {
        SplittableRandom r = random(index);
        r.nextDouble();
        return r;
    }

    private SplittableRandom random(long index) {
        return new SplittableRandom(seed * 0x9E3779B97F4A7C15L + index);
    }

    private String original(SplittableRandom random) {
        int target = minChars + random.nextInt(maxChars - minChars + 1);
        StringBuilder text = new StringBuilder(target + 512);
        while (text.length() < target) {
            if (text.length() > 0) {
                text.append("\n\n");
            }
            text.append(paragraphs[random.nextInt(paragraphs.length)]);
        }
        return text.toString();
    }

    private String edit(String text, double rate, SplittableRandom random) {
        StringBuilder out = new StringBuilder(text.length() + 64);
        for (String paragraph : text.split("\n\n")) {
            if (out.length() > 0) {
                out.append("\n\n");
            }
            int start = out.length();
            for (String word : paragraph.split(" ")) {
                String w = word;
                if (random.nextDouble() < rate) {
                    switch (random.nextInt(3)) {
                        case 0 -> w = words[random.nextInt(words.length)];
                        case 1 -> w = null;
                        default -> w = words[random.nextInt(words.length)] + " " + word;
                    }
                }
                if (w != null) {
                    if (out.length() > start) {
                        out.append(' ');
                    }
                    out.append(w);
                }
            }
        }
        return out.toString();
    }
}
