package ai.refinery.pipeline.langid;

import com.github.pemistahl.lingua.api.Language;
import com.github.pemistahl.lingua.internal.Alphabet;
import com.github.pemistahl.lingua.internal.Constant;

import java.lang.Character.UnicodeScript;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Lingua 1.2.2's text clean-up and script rules (LanguageDetector.cleanUpInputText, splitTextIntoWords,
 * detectLanguageWithRules and filterLanguagesByRules), computed over per-character tables: Lingua asks
 * {@link UnicodeScript#of} for every (character, alphabet) pair, scans every language's unique characters for every
 * Latin letter and runs three regular expressions, which cost more than the n-gram scoring itself. Same inputs,
 * same outputs (tested against Lingua's own methods on real text); the data (alphabets, unique characters, the
 * character-to-languages table) is read from Lingua itself.
 *
 * <p>One instance per set of candidate languages; immutable and thread-safe.
 */
final class LinguaRules {
    private static final Language[] LANGUAGES = Language.values();
    private static final Alphabet[] ALPHABETS = Alphabet.values();
    private static final int NO_ALPHABET = -1;
    /** Per UTF-16 unit: the ordinal of the alphabet whose script it is in, or NO_ALPHABET. */
    private static final byte[] ALPHABET_OF_CHAR = new byte[Character.MAX_VALUE + 1];
    private static final UnicodeScript[] SCRIPT_OF_ALPHABET = new UnicodeScript[ALPHABETS.length];
    /** Alphabets that exactly one language (of all Lingua knows) is written in, with that language. */
    private static final Map<Alphabet, Language> ONE_LANGUAGE_ALPHABETS = Alphabet.Companion.allSupportingExactlyOneLanguage();
    /** The alphabets of Chinese, Japanese and Korean: their characters are words of their own. */
    private static final boolean[] LOGOGRAM_ALPHABET = new boolean[ALPHABETS.length];

    static {
        for (Alphabet a : ALPHABETS) {
            try {
                SCRIPT_OF_ALPHABET[a.ordinal()] = UnicodeScript.forName(a.name());
            } catch (IllegalArgumentException e) {
                SCRIPT_OF_ALPHABET[a.ordinal()] = null; // NONE: matches nothing
            }
        }
        for (int c = 0; c <= Character.MAX_VALUE; c++) {
            ALPHABET_OF_CHAR[c] = (byte) alphabetOfCodePoint(c);
        }
        for (Language l : Constant.INSTANCE.getLANGUAGES_SUPPORTING_LOGOGRAMS()) {
            for (Alphabet a : l.getAlphabets$lingua()) {
                LOGOGRAM_ALPHABET[a.ordinal()] = true;
            }
        }
    }

    /** The candidate languages, as a set and by ordinal. */
    private final Set<Language> languages;
    private final boolean[] isCandidate = new boolean[LANGUAGES.length];
    /** Per alphabet ordinal: its only language if that is a candidate, else null. */
    private final Language[] oneLanguageOf = new Language[ALPHABETS.length];
    /** Per character: ordinals of candidate languages listing it among their unique characters (null: none). */
    private final int[][] uniqueCharLanguages = new int[Character.MAX_VALUE + 1][];
    /** Per character: the index of its entry in Lingua's CHARS_TO_LANGUAGES_MAPPING, or -1. */
    private final int[] mappingEntryOfChar = new int[Character.MAX_VALUE + 1];
    private final List<EnumSet<Language>> mappingLanguages = new ArrayList<>();

    LinguaRules(Set<Language> languages) {
        this.languages = EnumSet.copyOf(languages);
        for (Language l : languages) {
            isCandidate[l.ordinal()] = true;
        }
        for (Map.Entry<Alphabet, Language> e : ONE_LANGUAGE_ALPHABETS.entrySet()) {
            if (languages.contains(e.getValue())) {
                oneLanguageOf[e.getKey().ordinal()] = e.getValue();
            }
        }
        // Lingua iterates the candidates in their set's order (an EnumSet: ordinal order) for unique characters.
        for (Language l : this.languages) {
            String unique = l.getUniqueCharacters$lingua();
            if (unique == null || unique.isBlank()) {
                continue;
            }
            for (int i = 0; i < unique.length(); i++) {
                char c = unique.charAt(i);
                int[] old = uniqueCharLanguages[c];
                if (old != null && old[old.length - 1] == l.ordinal()) {
                    continue; // a character listed twice counts once per language in Lingua's filter too
                }
                int[] grown = old == null ? new int[1] : Arrays.copyOf(old, old.length + 1);
                grown[grown.length - 1] = l.ordinal();
                uniqueCharLanguages[c] = grown;
            }
        }
        Arrays.fill(mappingEntryOfChar, -1);
        for (Map.Entry<String, EnumSet<Language>> e : Constant.INSTANCE.getCHARS_TO_LANGUAGES_MAPPING().entrySet()) {
            int entry = mappingLanguages.size();
            mappingLanguages.add(e.getValue());
            for (char c : e.getKey().toCharArray()) {
                if (mappingEntryOfChar[c] >= 0 && mappingEntryOfChar[c] != entry) {
                    throw new IllegalStateException("Lingua maps '" + c + "' to two language sets; these rules assume one");
                }
                mappingEntryOfChar[c] = entry;
            }
        }
    }

    private static int alphabetOfCodePoint(int cp) {
        UnicodeScript script = UnicodeScript.of(cp);
        for (Alphabet a : ALPHABETS) {
            if (SCRIPT_OF_ALPHABET[a.ordinal()] == script) {
                return a.ordinal();
            }
        }
        return NO_ALPHABET;
    }

    private static int alphabetOfChar(char c) {
        return ALPHABET_OF_CHAR[c];
    }

    /**
     * cleanUpInputText: trimmed, lower case (root locale), punctuation (\p{P}) and numbers (\p{N}) removed, runs
     * of ASCII whitespace (Java's \s) made one space, in that order.
     */
    static String cleanUp(String text) {
        String lower = kotlinTrim(text).toLowerCase(Locale.ROOT);
        StringBuilder out = new StringBuilder(lower.length());
        boolean inWhitespace = false;
        for (int i = 0; i < lower.length(); ) {
            int cp = lower.codePointAt(i);
            i += Character.charCount(cp);
            if (isPunctuationOrNumber(cp)) {
                continue; // removed before the whitespace runs are collapsed, so runs join across it
            }
            if (cp == ' ' || cp == '\t' || cp == '\n' || cp == 0x0B || cp == '\f' || cp == '\r') {
                if (!inWhitespace) {
                    out.append(' ');
                    inWhitespace = true;
                }
                continue;
            }
            inWhitespace = false;
            out.appendCodePoint(cp);
        }
        return out.toString();
    }

    private static boolean isPunctuationOrNumber(int cp) {
        switch (Character.getType(cp)) {
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                    Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                    Character.OTHER_PUNCTUATION, Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER,
                    Character.OTHER_NUMBER:
                return true;
            default:
                return false;
        }
    }

    /** Kotlin's CharSequence.trim(): strips characters that are whitespace or space characters, by UTF-16 unit. */
    private static String kotlinTrim(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && kotlinWhitespace(s.charAt(start))) {
            start++;
        }
        while (end > start && kotlinWhitespace(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(start, end);
    }

    private static boolean kotlinWhitespace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c);
    }

    /** splitTextIntoWords: on spaces, and every Chinese, Japanese or Korean character is a word of its own. */
    static List<String> words(String cleaned) {
        List<String> words = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < cleaned.length(); i++) {
            char c = cleaned.charAt(i);
            if (c == ' ') {
                if (start != i) {
                    words.add(cleaned.substring(start, i));
                }
                start = i + 1;
            } else if (isLogogram(c)) {
                if (start != i) {
                    words.add(cleaned.substring(start, i));
                }
                words.add(String.valueOf(c));
                start = i + 1;
            }
        }
        if (start != cleaned.length()) {
            words.add(cleaned.substring(start));
        }
        return words;
    }

    private static boolean isLogogram(char c) {
        int a = alphabetOfChar(c);
        return a != NO_ALPHABET && LOGOGRAM_ALPHABET[a] && !kotlinWhitespace(c);
    }

    /** detectLanguageWithRules: the language that the words' scripts and unique characters settle, else UNKNOWN. */
    Language detectByRules(List<String> words) {
        int n = LANGUAGES.length;
        int unknown = Language.UNKNOWN.ordinal();
        int[] total = new int[n];
        int[] perWord = new int[n];
        int[] touched = new int[n];
        for (String word : words) {
            int touchedCount = 0;
            for (int i = 0; i < word.length(); i++) {
                char c = word.charAt(i);
                int a = alphabetOfChar(c);
                Language only = a == NO_ALPHABET ? null : oneLanguageOf[a];
                if (only != null) {
                    touchedCount = increment(perWord, touched, touchedCount, only.ordinal());
                } else if (a == Alphabet.HAN.ordinal()) {
                    touchedCount = increment(perWord, touched, touchedCount, Language.CHINESE.ordinal());
                } else if (a == Alphabet.HIRAGANA.ordinal() || a == Alphabet.KATAKANA.ordinal()) {
                    touchedCount = increment(perWord, touched, touchedCount, Language.JAPANESE.ordinal());
                } else if (a == Alphabet.LATIN.ordinal() || a == Alphabet.CYRILLIC.ordinal()
                        || a == Alphabet.DEVANAGARI.ordinal()) {
                    int[] unique = uniqueCharLanguages[c];
                    if (unique != null) {
                        for (int l : unique) {
                            touchedCount = increment(perWord, touched, touchedCount, l);
                        }
                    }
                }
            }
            int verdict = unknown;
            if (touchedCount == 1) {
                int l = touched[0];
                verdict = isCandidate[l] ? l : unknown;
            } else if (touchedCount > 1) {
                int first = -1;
                int firstCount = -1;
                int secondCount = -1;
                for (int t = 0; t < touchedCount; t++) {
                    int count = perWord[touched[t]];
                    if (count > firstCount) {
                        secondCount = firstCount;
                        firstCount = count;
                        first = touched[t];
                    } else if (count > secondCount) {
                        secondCount = count;
                    }
                }
                verdict = firstCount > secondCount && isCandidate[first] ? first : unknown;
            }
            total[verdict]++;
            for (int t = 0; t < touchedCount; t++) {
                perWord[touched[t]] = 0;
            }
        }
        if (total[unknown] < 0.5 * words.size()) {
            total[unknown] = 0;
        }
        int present = 0;
        int first = -1;
        int firstCount = 0;
        int secondCount = 0;
        for (int l = 0; l < n; l++) {
            int count = total[l];
            if (count == 0) {
                continue;
            }
            present++;
            if (count > firstCount) {
                secondCount = firstCount;
                firstCount = count;
                first = l;
            } else if (count > secondCount) {
                secondCount = count;
            }
        }
        if (present == 0) {
            return Language.UNKNOWN;
        }
        if (present == 1) {
            return LANGUAGES[first];
        }
        if (present == 2 && total[Language.CHINESE.ordinal()] > 0 && total[Language.JAPANESE.ordinal()] > 0) {
            return Language.JAPANESE;
        }
        return firstCount == secondCount ? Language.UNKNOWN : LANGUAGES[first];
    }

    private static int increment(int[] counts, int[] touched, int touchedCount, int language) {
        if (counts[language]++ == 0) {
            touched[touchedCount++] = language;
        }
        return touchedCount;
    }

    /**
     * filterLanguagesByRules: the candidates written in the words' most frequent alphabet, narrowed to those
     * that at least half of the words point to through characters shared by few languages.
     */
    Set<Language> filterByRules(List<String> words) {
        int[] alphabetCounts = new int[ALPHABETS.length];
        int[] firstSeen = new int[ALPHABETS.length];
        int alphabetsSeen = 0;
        for (String word : words) {
            int a = wordAlphabet(word);
            if (a != NO_ALPHABET && alphabetCounts[a]++ == 0) {
                firstSeen[alphabetsSeen++] = a;
            }
        }
        if (alphabetsSeen == 0) {
            return languages;
        }
        if (alphabetsSeen > 1) {
            boolean allEqual = true;
            for (int i = 1; i < alphabetsSeen; i++) {
                allEqual &= alphabetCounts[firstSeen[i]] == alphabetCounts[firstSeen[0]];
            }
            if (allEqual) {
                return languages;
            }
        }
        int most = firstSeen[0];
        for (int i = 1; i < alphabetsSeen; i++) {
            if (alphabetCounts[firstSeen[i]] > alphabetCounts[most]) {
                most = firstSeen[i]; // the first of equal maxima in order of appearance, as Lingua's maxBy
            }
        }
        Alphabet mostFrequent = ALPHABETS[most];
        EnumSet<Language> filtered = EnumSet.noneOf(Language.class);
        for (Language l : languages) {
            if (l.getAlphabets$lingua().contains(mostFrequent)) {
                filtered.add(l);
            }
        }
        int[] counts = new int[LANGUAGES.length];
        for (String word : words) {
            for (int i = 0; i < word.length(); i++) {
                char c = word.charAt(i);
                int entry = mappingEntryOfChar[c];
                if (entry < 0 || word.indexOf(c) < i) {
                    continue; // Lingua counts a character once per word (word.contains)
                }
                for (Language l : mappingLanguages.get(entry)) {
                    if (filtered.contains(l)) {
                        counts[l.ordinal()]++;
                    }
                }
            }
        }
        EnumSet<Language> subset = EnumSet.noneOf(Language.class);
        for (Language l : filtered) {
            if (counts[l.ordinal()] > 0 && counts[l.ordinal()] >= words.size() / 2.0) {
                subset.add(l);
            }
        }
        return subset.isEmpty() ? filtered : subset;
    }

    /** The alphabet that every code point of the word is written in, or NO_ALPHABET. */
    private static int wordAlphabet(String word) {
        int a = NO_ALPHABET;
        for (int i = 0; i < word.length(); ) {
            int cp = word.codePointAt(i);
            i += Character.charCount(cp);
            int b = cp <= Character.MAX_VALUE ? alphabetOfChar((char) cp) : alphabetOfCodePoint(cp);
            if (b == NO_ALPHABET || (a != NO_ALPHABET && b != a)) {
                return NO_ALPHABET;
            }
            a = b;
        }
        return a;
    }
}
