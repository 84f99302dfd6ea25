package ai.refinery.pipeline.filter;

import ai.refinery.core.config.Section;
import ai.refinery.pipeline.doc.Document;
import ai.refinery.pipeline.text.Chars;
import ai.refinery.pipeline.text.DatatroveWords;
import ai.refinery.pipeline.text.Hashing;
import ai.refinery.pipeline.text.LongCounter;
import ai.refinery.pipeline.text.NGramRepetition;
import ai.refinery.pipeline.text.PythonText;
import ai.refinery.pipeline.text.Spans;
import com.typesafe.config.Config;

/**
 * The Gopher repetition rules (Rae et al. 2021, MassiveText, table A1). A document is rejected when any
 * measure exceeds its threshold, checked in this order:
 * <ol>
 *   <li>duplicate paragraphs: paragraphs equal to an earlier one / paragraphs;</li>
 *   <li>duplicate paragraph characters: characters of those paragraphs / characters of the text;</li>
 *   <li>duplicate lines and duplicate line characters, likewise over non-blank lines (compared trimmed);</li>
 *   <li>top n-gram (n = 2, 3, 4 by default) and duplicated n-gram (n = 5..10) character fractions, as defined
 *       in {@link NGramRepetition}.</li>
 * </ol>
 * The first occurrence of a line or paragraph is not a duplicate; the later ones are.
 *
 * <p>With {@link FilterDefinitions#DATATROVE} (datatrove's GopherRepetitionFilter): paragraphs are the stripped
 * text split at runs of two or more newlines and lines the text split at runs of newlines, compared as they are
 * (untrimmed; the shares are over all of them); character shares are over the length of the whole text; words
 * are datatrove's and the n-gram measures are {@link NGramRepetition#measureDatatrove}. With
 * {@link FilterDefinitions#PAPER}: regions are compared trimmed, blank ones left out, and the n-gram measures
 * are {@link NGramRepetition#measure}, over word characters.
 */
public final class GopherRepetitionFilter implements DocumentFilter {
    private static final long serialVersionUID = 1L;
    public static final String NAME = "gopher_repetition";
    /** n of the first entry of max_top_ngram_char_fraction. */
    public static final int FIRST_TOP_N = 2;
    /** n of the first entry of max_duplicate_ngram_char_fraction. */
    public static final int FIRST_DUPLICATE_N = 5;

    private final double maxDuplicateLineFraction;
    private final double maxDuplicateParagraphFraction;
    private final double maxDuplicateLineCharFraction;
    private final double maxDuplicateParagraphCharFraction;
    private final double[] maxTopNGramCharFraction;
    private final double[] maxDuplicateNGramCharFraction;
    private final int maxN;
    private final FilterDefinitions definitions;

    /**
     * @param maxTopNGramCharFraction       thresholds for n = 2, 3, ... (as many as given)
     * @param maxDuplicateNGramCharFraction thresholds for n = 5, 6, ... (as many as given)
     */
    public GopherRepetitionFilter(double maxDuplicateLineFraction, double maxDuplicateParagraphFraction,
                                  double maxDuplicateLineCharFraction, double maxDuplicateParagraphCharFraction,
                                  double[] maxTopNGramCharFraction, double[] maxDuplicateNGramCharFraction,
                                  FilterDefinitions definitions) {
        this.definitions = definitions;
        this.maxDuplicateLineFraction = maxDuplicateLineFraction;
        this.maxDuplicateParagraphFraction = maxDuplicateParagraphFraction;
        this.maxDuplicateLineCharFraction = maxDuplicateLineCharFraction;
        this.maxDuplicateParagraphCharFraction = maxDuplicateParagraphCharFraction;
        this.maxTopNGramCharFraction = maxTopNGramCharFraction.clone();
        this.maxDuplicateNGramCharFraction = maxDuplicateNGramCharFraction.clone();
        this.maxN = Math.max(FIRST_TOP_N + maxTopNGramCharFraction.length - 1,
                FIRST_DUPLICATE_N + maxDuplicateNGramCharFraction.length - 1);
    }

    public static GopherRepetitionFilter fromConfig(Config config) {
        Section s = new Section(config, "filter." + NAME);
        return new GopherRepetitionFilter(
                s.fraction("max_duplicate_line_fraction"),
                s.fraction("max_duplicate_paragraph_fraction"),
                s.fraction("max_duplicate_line_char_fraction"),
                s.fraction("max_duplicate_paragraph_char_fraction"),
                Details.fractions(s, "max_top_ngram_char_fraction"),
                Details.fractions(s, "max_duplicate_ngram_char_fraction"),
                FilterDefinitions.fromConfig(config));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Outcome apply(Document document) {
        String text = document.text();
        Measures measures = new Measures();
        boolean datatrove = definitions == FilterDefinitions.DATATROVE;
        int length = datatrove ? PythonText.length(text, 0, text.length()) : text.length();
        double textChars = length;
        if (textChars == 0) {
            return measures.keep(document);
        }

        int[] paragraphs;
        int[] lines;
        if (datatrove) {
            int start = PythonText.stripStart(text, 0, text.length());
            int end = PythonText.stripEnd(text, start, text.length());
            paragraphs = exactDuplicates(text, PythonText.splitOnNewlineRuns(text, start, end, 2));
            lines = exactDuplicates(text, PythonText.splitOnNewlineRuns(text, 0, text.length(), 1));
        } else {
            paragraphs = duplicates(text, Spans.paragraphs(text));
            lines = duplicates(text, Spans.lines(text));
        }
        if (paragraphs[0] > 0) {
            double fraction = (double) paragraphs[1] / paragraphs[0];
            measures.put("duplicate_paragraphs", fraction);
            if (fraction > maxDuplicateParagraphFraction) {
                return measures.reject(document, "duplicate_paragraphs", Details.above(fraction, maxDuplicateParagraphFraction));
            }
            double chars = paragraphs[2] / textChars;
            measures.put("duplicate_paragraph_chars", chars);
            if (chars > maxDuplicateParagraphCharFraction) {
                return measures.reject(document, "duplicate_paragraph_chars", Details.above(chars, maxDuplicateParagraphCharFraction));
            }
        }

        if (lines[0] > 0) {
            double fraction = (double) lines[1] / lines[0];
            measures.put("duplicate_lines", fraction);
            if (fraction > maxDuplicateLineFraction) {
                return measures.reject(document, "duplicate_lines", Details.above(fraction, maxDuplicateLineFraction));
            }
            double chars = lines[2] / textChars;
            measures.put("duplicate_line_chars", chars);
            if (chars > maxDuplicateLineCharFraction) {
                return measures.reject(document, "duplicate_line_chars", Details.above(chars, maxDuplicateLineCharFraction));
            }
        }

        NGramRepetition ngrams = datatrove
                ? NGramRepetition.measureDatatrove(text, DatatroveWords.words(text),
                        FIRST_TOP_N + maxTopNGramCharFraction.length - 1, FIRST_DUPLICATE_N, maxN, length)
                : NGramRepetition.measure(text, Spans.words(text), maxN);
        for (int k = 0; k < maxTopNGramCharFraction.length; k++) {
            int n = FIRST_TOP_N + k;
            double fraction = ngrams.topFraction(n);
            measures.put("top_" + n + "gram", fraction);
            if (fraction > maxTopNGramCharFraction[k]) {
                return measures.reject(document, "top_" + n + "gram", Details.above(fraction, maxTopNGramCharFraction[k]));
            }
        }
        for (int k = 0; k < maxDuplicateNGramCharFraction.length; k++) {
            int n = FIRST_DUPLICATE_N + k;
            double fraction = ngrams.duplicatedFraction(n);
            measures.put("duplicated_" + n + "gram", fraction);
            if (fraction > maxDuplicateNGramCharFraction[k]) {
                return measures.reject(document, "duplicated_" + n + "gram",
                        Details.above(fraction, maxDuplicateNGramCharFraction[k]));
            }
        }
        return measures.keep(document);
    }

    /**
     * {regions, regions equal to an earlier one, characters (code points) of those}, every region compared as it
     * is, blank ones included (datatrove's find_duplicates).
     */
    static int[] exactDuplicates(CharSequence text, Spans regions) {
        LongCounter seen = new LongCounter(regions.size());
        int duplicates = 0;
        int duplicateChars = 0;
        for (int i = 0; i < regions.size(); i++) {
            int start = regions.start(i);
            int end = regions.end(i);
            if (seen.add(Hashing.hash(text, start, end)) > 1) {
                duplicates++;
                duplicateChars += PythonText.length(text, start, end);
            }
        }
        return new int[] {regions.size(), duplicates, duplicateChars};
    }

    /**
     * {non-blank regions, regions equal to an earlier one, characters of those} over the regions (lines or
     * paragraphs), each compared with surrounding whitespace trimmed.
     */
    static int[] duplicates(CharSequence text, Spans regions) {
        LongCounter seen = new LongCounter(regions.size());
        int total = 0;
        int duplicates = 0;
        int duplicateChars = 0;
        for (int i = 0; i < regions.size(); i++) {
            int start = Chars.trimStart(text, regions.start(i), regions.end(i));
            int end = Chars.trimEnd(text, start, regions.end(i));
            if (start == end) {
                continue;
            }
            total++;
            if (seen.add(Hashing.hash(text, start, end)) > 1) {
                duplicates++;
                duplicateChars += end - start;
            }
        }
        return new int[] {total, duplicates, duplicateChars};
    }
}
