package ai.refinery.pipeline.filter;

import ai.refinery.core.config.Section;
import ai.refinery.pipeline.doc.Document;
import ai.refinery.pipeline.text.Chars;
import ai.refinery.pipeline.text.DatatroveWords;
import ai.refinery.pipeline.text.Hashing;
import ai.refinery.pipeline.text.LongCounter;
import ai.refinery.pipeline.text.PythonText;
import ai.refinery.pipeline.text.Spans;
import ai.refinery.pipeline.text.TerminalPunctuation;
import com.typesafe.config.Config;

/**
 * The FineWeb quality rules (Penedo et al. 2024). Over the non-blank lines, a document is rejected when:
 * <ol>
 *   <li>the share of lines ending in terminal punctuation is below min_terminal_punctuation_line_ratio;</li>
 *   <li>the characters of duplicated lines (each later occurrence of a line) over the characters of the text
 *       without its newlines exceed max_duplicate_line_char_ratio (0.01, the value of the FineWeb code);</li>
 *   <li>the share of short lines exceeds max_short_line_ratio;</li>
 *   <li>newlines per word exceed max_newline_word_ratio.</li>
 * </ol>
 * With {@link FilterDefinitions#DATATROVE} (datatrove's FineWebQualityFilter): lines are the text split at
 * '\n', taken as they are (not trimmed); a line ends in terminal punctuation when its last character is one of
 * datatrove's terminal marks (a closing quote or a trailing space does not count); short means at most
 * short_line_chars characters; words are datatrove's; the short-line rule is checked before the duplicate one.
 * With {@link FilterDefinitions#PAPER}: lines are trimmed; a line may end in a mark followed by a closing quote;
 * short means fewer than short_line_chars characters; words are whitespace tokens without punctuation.
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
    private final FilterDefinitions definitions;

    public FineWebQualityFilter(double minTerminalPunctuationLineRatio, double maxDuplicateLineCharRatio,
                                double maxShortLineRatio, int shortLineChars, double maxNewlineWordRatio,
                                FilterDefinitions definitions) {
        this.definitions = definitions;
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
                s.nonNegative("max_newline_word_ratio"),
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
        Spans lines = datatrove ? PythonText.split(text, 0, text.length(), '\n') : Spans.lines(text);
        LongCounter seen = new LongCounter(lines.size());
        int nonBlank = 0;
        int terminal = 0;
        int shortLines = 0;
        long duplicateChars = 0;
        for (int i = 0; i < lines.size(); i++) {
            int start = lines.start(i);
            int end = lines.end(i);
            if (datatrove) {
                if (PythonText.stripStart(text, start, end) == end) {
                    continue;
                }
            } else {
                start = Chars.trimStart(text, start, end);
                end = Chars.trimEnd(text, start, end);
                if (start == end) {
                    continue;
                }
            }
            nonBlank++;
            int length = datatrove ? PythonText.length(text, start, end) : end - start;
            if (datatrove ? DatatroveWords.isTerminalPunctuation(Character.codePointBefore(text, end))
                    : TerminalPunctuation.endsWithTerminal(text, start, end)) {
                terminal++;
            }
            if (datatrove ? length <= shortLineChars : length < shortLineChars) {
                shortLines++;
            }
            if (seen.add(Hashing.hash(text, start, end)) > 1) {
                duplicateChars += length;
            }
        }
        if (nonBlank == 0) {
            return measures.reject(document, "empty", "no non-blank line");
        }

        double terminalRatio = (double) terminal / nonBlank;
        measures.put("terminal_punctuation_lines", terminalRatio);
        if (terminalRatio < minTerminalPunctuationLineRatio) {
            return measures.reject(document, "terminal_punctuation_lines",
                    Details.below(terminalRatio, minTerminalPunctuationLineRatio));
        }
        int newlines = 0;
        for (int i = 0, n = text.length(); i < n; i++) {
            if (text.charAt(i) == '\n') {
                newlines++;
            }
        }
        double shortRatio = (double) shortLines / nonBlank;
        measures.put("short_lines", shortRatio);
        if (datatrove && shortRatio > maxShortLineRatio) {
            return measures.reject(document, "short_lines", Details.above(shortRatio, maxShortLineRatio));
        }
        int textLength = datatrove ? PythonText.length(text, 0, text.length()) : text.length();
        double duplicateRatio = (double) duplicateChars / (textLength - newlines);
        measures.put("duplicate_line_chars", duplicateRatio);
        if (duplicateRatio > maxDuplicateLineCharRatio) {
            return measures.reject(document, "duplicate_line_chars", Details.above(duplicateRatio, maxDuplicateLineCharRatio));
        }
        if (shortRatio > maxShortLineRatio) {
            return measures.reject(document, "short_lines", Details.above(shortRatio, maxShortLineRatio));
        }
        int words = definitions.countWords(text, 0, text.length());
        if (words == 0 && newlines > 0) {
            return measures.reject(document, "newline_word_ratio", newlines + " newlines, no words");
        }
        double newlineRatio = words == 0 ? 0.0 : (double) newlines / words;
        measures.put("newline_word_ratio", newlineRatio);
        if (newlineRatio > maxNewlineWordRatio) {
            return measures.reject(document, "newline_word_ratio", Details.above(newlineRatio, maxNewlineWordRatio));
        }
        return measures.keep(document);
    }
}
