package ai.refinery.pipeline.filter;

import ai.refinery.core.config.ConfigError;
import ai.refinery.pipeline.text.DatatroveWords;
import ai.refinery.pipeline.text.Spans;
import com.typesafe.config.Config;

import java.util.Locale;

/**
 * Which definitions the Gopher, C4 and FineWeb stages measure with ({@code filter.definitions}). The rules and
 * thresholds are the same in both; what a word, a line, a duplicate or a sentence is differs:
 * <ul>
 *   <li>{@link #DATATROVE}: as datatrove's filters define them, the implementation FineWeb's ablations and most
 *       published recipes ran on (words from spaCy's English tokenizer, punctuation included; n-gram and line
 *       shares over the text's length; lines as Python splits them, untrimmed; C4's sentences from spaCy's
 *       sentencizer on each kept line). A document gets the decision datatrove's filter gives it.</li>
 *   <li>{@link #PAPER}: as the papers word them (words are whitespace tokens without surrounding punctuation;
 *       shares over word characters; lines compared trimmed; every occurrence of a repeated n-gram counts).</li>
 * </ul>
 * The README's filter section tables every difference.
 */
public enum FilterDefinitions {
    DATATROVE,
    PAPER;

    public static final String KEY = "filter.definitions";

    public static FilterDefinitions fromConfig(Config config) {
        if (!config.hasPath(KEY)) {
            throw ConfigError.forKey(KEY, "is missing (datatrove or paper)");
        }
        String value;
        try {
            value = config.getString(KEY);
        } catch (RuntimeException e) {
            throw ConfigError.forKey(KEY, "must be datatrove or paper");
        }
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "datatrove" -> DATATROVE;
            case "paper" -> PAPER;
            default -> throw ConfigError.forKey(KEY, "must be datatrove or paper, got '" + value + "'");
        };
    }

    /** The words of text under these definitions. */
    public Spans words(CharSequence text) {
        return this == DATATROVE ? DatatroveWords.words(text) : Spans.words(text);
    }

    /** The number of words of text[from, to) under these definitions. */
    public int countWords(CharSequence text, int from, int to) {
        return this == DATATROVE ? DatatroveWords.countWords(text, from, to) : Spans.countWords(text, from, to);
    }

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }
}
