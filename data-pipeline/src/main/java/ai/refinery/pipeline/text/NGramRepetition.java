package ai.refinery.pipeline.text;

/**
 * The word n-gram repetition measures of Gopher (Rae et al. 2021, MassiveText), computed over hashes of the
 * words instead of n-gram strings.
 *
 * <ul>
 *   <li>top n-gram character fraction: count of the most frequent n-gram times its characters, over all word
 *       characters; an n-gram that occurs once is not repetition and gives 0 (ties between equally frequent
 *       n-grams go to the longer one);</li>
 *   <li>duplicated n-gram character fraction: characters of the words covered by any occurrence of an
 *       n-gram that occurs more than once, over all word characters; a word covered by several (overlapping)
 *       duplicated n-grams is counted once, as the paper asks.</li>
 * </ul>
 * Characters are those of the words (see {@link Spans}), so spacing and line layout do not change the result.
 *
 * <p>{@link #measureDatatrove} gives datatrove's definitions of the same two measures instead.
 *
 * <p>Work is pruned with one observation: if the (n+1)-gram at position i occurs elsewhere, so does the
 * n-gram at i. Only positions whose n-gram repeats are therefore candidates at n+1, and counting (n+1)-grams
 * over the candidates alone gives exact counts for every (n+1)-gram that repeats. On ordinary prose the
 * candidates shrink quickly, so n = 3..10 cost little beyond n = 2.
 */
public final class NGramRepetition {
    private final double[] top;
    private final double[] duplicated;

    private NGramRepetition(double[] top, double[] duplicated) {
        this.top = top;
        this.duplicated = duplicated;
    }

    /** Share of word characters in the most frequent n-gram, for 2 <= n <= maxN (0 where nothing repeats). */
    public double topFraction(int n) {
        return n < top.length ? top[n] : 0.0;
    }

    /** Share of word characters covered by duplicated n-grams, for 2 <= n <= maxN. */
    public double duplicatedFraction(int n) {
        return n < duplicated.length ? duplicated[n] : 0.0;
    }

    public static NGramRepetition measure(CharSequence text, Spans words, int maxN) {
        double[] top = new double[maxN + 1];
        double[] duplicated = new double[maxN + 1];
        int count = words.size();
        if (count < 2 || maxN < 2) {
            return new NGramRepetition(top, duplicated);
        }
        long[] wordHash = new long[count];
        int[] charsBefore = new int[count + 1];
        for (int i = 0; i < count; i++) {
            wordHash[i] = Hashing.hash(text, words.start(i), words.end(i));
            charsBefore[i + 1] = charsBefore[i] + words.length(i);
        }
        double totalChars = charsBefore[count];

        long[] gram = wordHash.clone(); // gram[i]: hash of the current n-gram starting at word i
        int[] candidates = new int[count];
        for (int i = 0; i < count; i++) {
            candidates[i] = i;
        }
        int candidateCount = count;
        for (int n = 2; n <= maxN && candidateCount > 0; n++) {
            LongCounter counter = new LongCounter(candidateCount);
            int positions = 0;
            for (int c = 0; c < candidateCount; c++) {
                int i = candidates[c];
                if (i + n > count) {
                    break; // candidates ascend, so every later one runs past the end as well
                }
                gram[i] = Hashing.combine(gram[i], wordHash[i + n - 1]);
                counter.add(gram[i]);
                positions++;
            }
            int bestCount = 0;
            int bestChars = 0;
            int repeated = 0;
            long covered = 0;
            int coveredEnd = 0;
            for (int c = 0; c < positions; c++) {
                int i = candidates[c];
                int occurrences = counter.get(gram[i]);
                if (occurrences < 2) {
                    continue;
                }
                candidates[repeated++] = i;
                int chars = charsBefore[i + n] - charsBefore[i];
                if (occurrences > bestCount || (occurrences == bestCount && chars > bestChars)) {
                    bestCount = occurrences;
                    bestChars = chars;
                }
                // Positions ascend, so the union of covered words grows left to right.
                int from = Math.max(i, coveredEnd);
                if (i + n > from) {
                    covered += charsBefore[i + n] - charsBefore[from];
                }
                coveredEnd = Math.max(coveredEnd, i + n);
            }
            candidateCount = repeated;
            top[n] = bestCount >= 2 ? (double) bestCount * bestChars / totalChars : 0.0;
            duplicated[n] = covered / totalChars;
        }
        return new NGramRepetition(top, duplicated);
    }

    /**
     * datatrove's definitions (GopherRepetitionFilter), over textLength, the length of the whole text in code
     * points:
     * <ul>
     *   <li>top n-gram: the most frequent n-gram (ties: the one seen first), even if it occurs once, its length
     *       as the words joined by single spaces times its count;</li>
     *   <li>duplicated n-grams: a left-to-right scan that remembers each n-gram it passes; an n-gram seen
     *       before adds its words' characters and the scan jumps past it (so only later occurrences count, and
     *       the n-grams it jumps over are not remembered).</li>
     * </ul>
     * Top fractions are computed for 2 <= n <= topMaxN, duplicated ones for duplicateMinN <= n <= maxN.
     */
    public static NGramRepetition measureDatatrove(CharSequence text, Spans words, int topMaxN, int duplicateMinN,
                                                   int maxN, int textLength) {
        double[] top = new double[maxN + 1];
        double[] duplicated = new double[maxN + 1];
        int count = words.size();
        if (count == 0 || textLength == 0) {
            return new NGramRepetition(top, duplicated);
        }
        long[] wordHash = new long[count];
        int[] charsBefore = new int[count + 1];
        boolean noSurrogates = textLength == text.length();
        for (int i = 0; i < count; i++) {
            int start = words.start(i);
            int end = words.end(i);
            wordHash[i] = Hashing.hash(text, start, end);
            charsBefore[i + 1] = charsBefore[i] + (noSurrogates ? end - start : PythonText.length(text, start, end));
        }
        // As in measure: only positions whose (n-1)-gram repeats can hold a repeated n-gram. An n-gram that occurs
        // once is never "seen before" in the scan, so the scan needs to remember repeated n-grams only.
        long[] gram = wordHash.clone();
        int[] candidates = new int[count];
        for (int i = 0; i < count; i++) {
            candidates[i] = i;
        }
        int candidateCount = count;
        for (int n = 2; n <= maxN && n <= count; n++) {
            LongCounter counter = new LongCounter(candidateCount);
            int usable = 0;
            for (int c = 0; c < candidateCount; c++) {
                int i = candidates[c];
                if (i + n > count) {
                    break;
                }
                gram[i] = Hashing.combine(gram[i], wordHash[i + n - 1]);
                counter.add(gram[i]);
                usable++;
            }
            int best = 1;
            int bestAt = 0;
            int kept = 0;
            for (int c = 0; c < usable; c++) {
                int i = candidates[c];
                int occurrences = counter.get(gram[i]);
                if (occurrences >= 2) {
                    candidates[kept++] = i;
                    if (occurrences > best) {
                        best = occurrences;
                        bestAt = i;
                    }
                }
            }
            candidateCount = kept;
            if (n <= topMaxN) {
                // Nothing repeats: the most common n-gram is the first one, once.
                int chars = charsBefore[bestAt + n] - charsBefore[bestAt] + n - 1;
                top[n] = (double) chars * best / textLength;
            }
            if (n >= duplicateMinN) {
                // The scan steps one position at a time except after a repeat, where it jumps n: walking the
                // repeated positions (ascending) with the next position the scan can reach gives the same result.
                long repeatedChars = 0;
                int reachable = 0;
                for (int c = 0; c < kept; c++) {
                    int i = candidates[c];
                    if (i < reachable) {
                        continue;
                    }
                    if (counter.claim(gram[i])) {
                        reachable = i + 1; // first met: remembered
                    } else {
                        repeatedChars += charsBefore[i + n] - charsBefore[i];
                        reachable = i + n;
                    }
                }
                duplicated[n] = (double) repeatedChars / textLength;
            }
        }
        return new NGramRepetition(top, duplicated);
    }
}
