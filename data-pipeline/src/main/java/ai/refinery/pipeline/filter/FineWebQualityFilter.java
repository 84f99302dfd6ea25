package ai.refinery.pipeline.filter;

import ai.refinery.core.config.Section;
import ai.refinery.pipeline.doc.Document;
import ai.refinery.pipeline.text.Chars;
import ai.refinery.pipeline.text.Hashing;
import ai.refinery.pipeline.text.LongCounter;
import ai.refinery.pipeline.text.Spans;
import ai.refinery.pipeline.text.TerminalPunctuation;
import com.typesafe.config.Config;

/**
 * The FineWeb quality rules (Penedo et al. 2024). Over the non-blank lines, compared trimmed, a document is
 * rejected when, in this order:
 * <ol>
 *   <li>the share of lines ending in terminal punctuation is below min_terminal_punctuation_line_ratio;</li>
 *   <li>the characters of duplicated lines (each later occurrence of a line) over the characters of the text
 *       without its newlines exceed max_duplicate_line_char_ratio (0.01, the value of the FineWeb code);</li>
 *   <li>the share of lines shorter than short_line_chars characters exceeds max_short_line_ratio;</li>
 *   <li>newlines per word exceed max_newline_word_ratio.</li>
 * </ol>
 * A document without any non-blank line is rejected as empty.
 */
public final class FineWebQualityFilter implements DocumentFilter {
    private static final long serialVersionUID = 1L;
    public static final String NAME = "fineweb_quality";

    private final double minTerminalPunctuationLineRatio;
    private final double maxDuplicateLineCharRatio;
    private final double maxShortLineRatio;
    private final int shortLineChars;
    private final double maxNewlineWordRatio;

    public FineWebQualityFilter(double minTerminalPunctuationLineRatio, double maxDuplicateLineCharRatio,
                                double maxShortLineRatio, int shortLineChars, double maxNewlineWordRatio) {
        this.minTerminalPunctuationLineRatio = minTerminalPunctuationLineRatio;
        this.maxDuplicateLineCharRatio = maxDuplicateLineCharRatio;
        this.maxShortLineRatio = maxShortLineRatio;
        this.shortLineChars = shortLineChars;
        this.maxNewlineWordRatio = maxNewlineWordRatio;
    }

    public static FineWebQualityFilter fromConfig(Config config) {
        Section s = new Section(config, "filter." + NAME);
        return new FineWebQualityFilter(
                s.fraction("min_terminal_punctuation_line_ratio"),
                s.fraction("max_duplicate_line_char_ratio"),
                s.fraction("max_short_line_ratio"),
                s.intAtLeast("short_line_chars", 0),
                s.nonNegative("max_newline_word_ratio"));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Outcome apply(Document document) {
        String text = document.text();
        Spans lines = Spans.lines(text);
        LongCounter seen = new LongCounter(lines.size());
        int nonBlank = 0;
        int terminal = 0;
        int shortLines = 0;
        long duplicateChars = 0;
        for (int i = 0; i < lines.size(); i++) {
            int start = Chars.trimStart(text, lines.start(i), lines.end(i));
            int end = Chars.trimEnd(text, start, lines.end(i));
            if (start == end) {
                continue;
            }
            nonBlank++;
            if (TerminalPunctuation.endsWithTerminal(text, start, end)) {
                terminal++;
            }
            if (end - start < shortLineChars) {
                shortLines++;
            }
            if (seen.add(Hashing.hash(text, start, end)) > 1) {
                duplicateChars += end - start;
            }
        }
        if (nonBlank == 0) {
            return Outcome.reject(document, "empty", "no non-blank line");
        }

        double terminalRatio = (double) terminal / nonBlank;
        if (terminalRatio < minTerminalPunctuationLineRatio) {
            return Outcome.reject(document, "terminal_punctuation_lines",
                    Details.below(terminalRatio, minTerminalPunctuationLineRatio));
        }
        int newlines = 0;
        for (int i = 0, n = text.length(); i < n; i++) {
            if (text.charAt(i) == '\n') {
                newlines++;
            }
        }
        double duplicateRatio = (double) duplicateChars / (text.length() - newlines);
        if (duplicateRatio > maxDuplicateLineCharRatio) {
            return Outcome.reject(document, "duplicate_line_chars", Details.above(duplicateRatio, maxDuplicateLineCharRatio));
        }
        double shortRatio = (double) shortLines / nonBlank;
        if (shortRatio > maxShortLineRatio) {
            return Outcome.reject(document, "short_lines", Details.above(shortRatio, maxShortLineRatio));
        }
        int words = Spans.countWords(text, 0, text.length());
        if (words == 0 && newlines > 0) {
            return Outcome.reject(document, "newline_word_ratio", newlines + " newlines, no words");
        }
        double newlineRatio = words == 0 ? 0.0 : (double) newlines / words;
        if (newlineRatio > maxNewlineWordRatio) {
            return Outcome.reject(document, "newline_word_ratio", Details.above(newlineRatio, maxNewlineWordRatio));
        }
        return Outcome.keep(document);
    }
}
