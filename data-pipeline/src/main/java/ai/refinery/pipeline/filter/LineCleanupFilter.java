package ai.refinery.pipeline.filter;

import ai.refinery.core.config.Section;
import ai.refinery.pipeline.doc.Document;
import ai.refinery.pipeline.text.Chars;
import ai.refinery.pipeline.text.Spans;
import ai.refinery.pipeline.text.WordSet;
import com.typesafe.config.Config;

import java.util.List;

/**
 * RefinedWeb's line-wise corrections (Penedo et al. 2023). Removes boilerplate lines:
 * <ul>
 *   <li>navigation and counters: every word is a boilerplate word ("Share", "Log in", "Back to top"), or the
 *       line is made of numbers and counter words ("12 likes", "3 comments", "1.2k views");</li>
 *   <li>a line that is only a URL;</li>
 *   <li>a line without any letter: only digits, punctuation or symbols ("12/03/2021", "-----").</li>
 * </ul>
 * If the removed lines held more than max_removed_word_fraction of the document's words, the document is
 * rejected (too_many_removed_words): so much boilerplate marks a page that line fixes cannot save. Otherwise
 * it is kept with those lines removed (runs of blank lines left behind collapse to one). A document with
 * nothing to remove is returned unchanged.
 */
public final class LineCleanupFilter implements DocumentFilter {
    private static final long serialVersionUID = 1L;
    public static final String NAME = "line_cleanup";

    /** Words that follow a number in an engagement counter. */
    private static final List<String> COUNTER_UNITS = List.of("like", "likes", "comment", "comments", "share",
            "shares", "view", "views", "reply", "replies", "retweet", "retweets", "follower", "followers", "vote",
            "votes", "reaction", "reactions", "point", "points", "upvote", "upvotes", "repost", "reposts", "answer",
            "answers", "favorite", "favorites", "favourite", "favourites", "star", "stars", "fork", "forks");

    private final double maxRemovedWordFraction;
    private final WordSet boilerplateWords;
    private final WordSet counterUnits = WordSet.of(COUNTER_UNITS);

    public LineCleanupFilter(double maxRemovedWordFraction, List<String> boilerplateWords) {
        this.maxRemovedWordFraction = maxRemovedWordFraction;
        this.boilerplateWords = WordSet.of(boilerplateWords);
    }

    public static LineCleanupFilter fromConfig(Config config) {
        Section s = new Section(config, "filter." + NAME);
        return new LineCleanupFilter(s.fraction("max_removed_word_fraction"), s.strings("boilerplate_words"));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Outcome apply(Document document) {
        String text = document.text();
        Spans lines = Spans.lines(text);
        boolean[] removed = null;
        int totalWords = 0;
        int removedWords = 0;
        int[] bounds = new int[3];
        for (int i = 0; i < lines.size(); i++) {
            int start = Chars.trimStart(text, lines.start(i), lines.end(i));
            int end = Chars.trimEnd(text, start, lines.end(i));
            if (start == end) {
                continue;
            }
            int words = Spans.countWords(text, start, end);
            totalWords += words;
            if (isBoilerplate(text, start, end, bounds)) {
                if (removed == null) {
                    removed = new boolean[lines.size()];
                }
                removed[i] = true;
                removedWords += words;
            }
        }
        double fraction = totalWords == 0 ? 0.0 : (double) removedWords / totalWords;
        Measures measures = new Measures().put("removed_words_ratio", fraction);
        if (removed == null || totalWords == 0) {
            return measures.keep(document);
        }
        if (fraction > maxRemovedWordFraction) {
            return measures.reject(document, "too_many_removed_words", Details.above(fraction, maxRemovedWordFraction));
        }
        StringBuilder out = new StringBuilder(text.length());
        boolean pendingBlank = false;
        for (int i = 0; i < lines.size(); i++) {
            if (removed[i]) {
                continue;
            }
            if (Chars.isBlank(text, lines.start(i), lines.end(i))) {
                pendingBlank = out.length() > 0;
                continue;
            }
            if (out.length() > 0) {
                out.append(pendingBlank ? "\n\n" : "\n");
            }
            out.append(text, lines.start(i), lines.end(i));
            pendingBlank = false;
        }
        return measures.keep(document.withText(out.toString()));
    }

    /** Whether the trimmed line text[start, end) is boilerplate; bounds is scratch space for the word walk. */
    boolean isBoilerplate(CharSequence text, int start, int end, int[] bounds) {
        if (!Chars.containsLetter(text, start, end)) {
            return true;
        }
        if (isUrl(text, start, end)) {
            return true;
        }
        boolean navigation = false;
        boolean number = false;
        boolean unit = false;
        int i = start;
        while (Spans.nextWord(text, i, end, bounds)) {
            int s = bounds[0];
            int e = bounds[1];
            i = bounds[2];
            if (boilerplateWords.contains(text, s, e)) {
                navigation = true;
            } else if (isNumber(text, s, e)) {
                number = true;
            } else if (counterUnits.contains(text, s, e)) {
                unit = true;
            } else {
                return false;
            }
        }
        return navigation || (number && unit);
    }

    /** A single token that starts with a scheme or "www." (after any opening punctuation). */
    static boolean isUrl(CharSequence text, int start, int end) {
        for (int i = start; i < end; i++) {
            if (Chars.isSpace(text.charAt(i))) {
                return false;
            }
        }
        while (start < end && "<([\"'".indexOf(text.charAt(start)) >= 0) {
            start++;
        }
        return startsWithIgnoreCase(text, start, end, "http://") || startsWithIgnoreCase(text, start, end, "https://")
                || startsWithIgnoreCase(text, start, end, "www.");
    }

    /** Digits with optional ',' '.' separators and an optional k/m suffix: 12, 3,456, 1.2k, 10M. */
    static boolean isNumber(CharSequence text, int start, int end) {
        char last = text.charAt(end - 1);
        if (last == 'k' || last == 'K' || last == 'm' || last == 'M') {
            end--;
        }
        if (end == start || !Character.isDigit(text.charAt(start))) {
            return false;
        }
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            if (!(Character.isDigit(c) || c == ',' || c == '.')) {
                return false;
            }
        }
        return true;
    }

    private static boolean startsWithIgnoreCase(CharSequence text, int start, int end, String lowerPrefix) {
        if (end - start < lowerPrefix.length()) {
            return false;
        }
        for (int i = 0; i < lowerPrefix.length(); i++) {
            if (Chars.toLowerCase(text.charAt(start + i)) != lowerPrefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
