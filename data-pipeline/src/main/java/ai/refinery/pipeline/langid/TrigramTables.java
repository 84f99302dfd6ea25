package ai.refinery.pipeline.langid;

import ai.refinery.pipeline.text.LongCounter;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.github.pemistahl.lingua.api.Language;
import it.unimi.dsi.fastutil.floats.FloatArrayList;
import it.unimi.dsi.fastutil.ints.Int2IntOpenHashMap;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.longs.Long2IntOpenHashMap;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * Lingua 1.2.2's low-accuracy n-gram scoring over compact primitive tables: the same models (read from Lingua's
 * own jar), the same sums, a fraction of the cost.
 *
 * <h2>What Lingua computes</h2>
 * For every candidate language L: the sum over the text's distinct trigrams t (three letters in a row of the
 * cleaned-up text) of ln p_L(t), where a trigram the model of L lacks backs off to its leading bigram, then to
 * its leading letter, and adds nothing when none is known. Lingua does this with one string per n-gram, a hash
 * lookup per (n-gram, language) in per-language maps keyed by strings, and a fork/join task per call: about
 * 10 ms of CPU for a 2,000-character text against 75 languages.
 *
 * <h2>How we compute the same</h2>
 * A trigram is a 48-bit key of its three UTF-16 units. One map from trigram key to a slice of (language,
 * ln p) pairs, sorted by language, holds every language's trigram model; one dense row per bigram holds, for
 * every language, ln p of the bigram or, where that language lacks it, ln p of its first letter (0 = unknown);
 * letters that start no known bigram have their own dense rows. Scoring a text is one lookup per distinct
 * trigram and a merge of its slice with the candidate languages. Sums are in double (Lingua sums floats in
 * hash-set order), so totals agree with Lingua's to float precision.
 *
 * <p>Built once per JVM (about 2 s and 50 MB of heap for all languages), immutable and thread-safe afterwards.
 */
final class TrigramTables {
    private static final Language[] LANGUAGES = Language.values();
    private static final int N = LANGUAGES.length;

    /** Trigram key -> start of its slice in triLanguage/triLog; the slice ends where the next one starts. */
    private final Long2IntOpenHashMap trigramSlices;
    private final int[] sliceEnds;
    private final byte[] triLanguage;
    private final float[] triLog;
    /** Bigram key -> row in backoffRows: per language ln p(bigram), else ln p(first letter), else 0. */
    private final Int2IntOpenHashMap bigramRows;
    /** Letter -> row in backoffRows: per language ln p(letter), else 0. */
    private final Int2IntOpenHashMap letterRows;
    private final float[] backoffRows;

    private static final class Holder {
        static final TrigramTables INSTANCE = load();
    }

    /** The tables of every language Lingua knows, loaded on first use. */
    static TrigramTables get() {
        return Holder.INSTANCE;
    }

    private TrigramTables(Long2IntOpenHashMap trigramSlices, int[] sliceEnds, byte[] triLanguage, float[] triLog,
                          Int2IntOpenHashMap bigramRows, Int2IntOpenHashMap letterRows, float[] backoffRows) {
        this.trigramSlices = trigramSlices;
        this.sliceEnds = sliceEnds;
        this.triLanguage = triLanguage;
        this.triLog = triLog;
        this.bigramRows = bigramRows;
        this.letterRows = letterRows;
        this.backoffRows = backoffRows;
    }

    /**
     * Lingua's low-accuracy log-probability sums of a cleaned-up text.
     *
     * @param cleaned    the text as Lingua's cleanUpInputText leaves it (lower case, no punctuation or digits)
     * @param candidates language ordinals, ascending
     * @return per candidate (same order), the sum of ln p; 0 when no n-gram of the text is known in that language
     */
    double[] sums(String cleaned, int[] candidates) {
        double[] acc = new double[candidates.length];
        LongCounter seen = new LongCounter(Math.max(16, cleaned.length()));
        int end = cleaned.length() - 3;
        for (int i = 0; i <= end; i++) {
            char c0 = cleaned.charAt(i);
            char c1 = cleaned.charAt(i + 1);
            char c2 = cleaned.charAt(i + 2);
            if (!allLetters(cleaned, i, c0, c1, c2)) {
                continue;
            }
            long key = trigramKey(c0, c1, c2);
            if (seen.add(key) != 1) {
                continue; // Lingua scores each distinct trigram once
            }
            int row = bigramRows.get(bigramKey(c0, c1));
            if (row < 0) {
                row = letterRows.get(c0);
            }
            int base = row < 0 ? -1 : row * N;
            int j = trigramSlices.get(key);
            int sliceEnd = j < 0 ? -1 : sliceEnds[j];
            for (int k = 0; k < candidates.length; k++) {
                int language = candidates[k];
                while (j >= 0 && j < sliceEnd && triLanguage[j] < language) {
                    j++;
                }
                if (j >= 0 && j < sliceEnd && triLanguage[j] == language) {
                    while (j + 1 < sliceEnd && triLanguage[j + 1] == language) {
                        j++; // a model listing an n-gram twice: the last value counts, as in Lingua's map
                    }
                    acc[k] += triLog[j];
                } else if (base >= 0) {
                    acc[k] += backoffRows[base + language];
                }
            }
        }
        return acc;
    }

    /**
     * Whether the three units at i are letters as Lingua's \p{L}+ sees them: code points, so a surrogate pair
     * inside the window counts as the letter it encodes and half a pair is not a letter.
     */
    private static boolean allLetters(String s, int i, char c0, char c1, char c2) {
        if (!Character.isSurrogate(c0) && !Character.isSurrogate(c1) && !Character.isSurrogate(c2)) {
            return Character.isLetter(c0) && Character.isLetter(c1) && Character.isLetter(c2);
        }
        return s.substring(i, i + 3).codePoints().allMatch(Character::isLetter);
    }

    static long trigramKey(char c0, char c1, char c2) {
        return ((long) c0 << 32) | ((long) c1 << 16) | c2;
    }

    static int bigramKey(char c0, char c1) {
        return (c0 << 16) | c1;
    }

    // ---- loading -------------------------------------------------------------------------------------------

    private static TrigramTables load() {
        // Per language: ln p of every unigram, bigram and trigram, as Lingua computes them (float division of the
        // fraction, then ln in double rounded to float).
        Int2IntOpenHashMap letterRows = new Int2IntOpenHashMap();
        letterRows.defaultReturnValue(-1);
        Int2IntOpenHashMap bigramRows = new Int2IntOpenHashMap();
        bigramRows.defaultReturnValue(-1);
        FloatRows uni = new FloatRows();
        FloatRows bi = new FloatRows();
        Long2IntOpenHashMap trigramIds = new Long2IntOpenHashMap();
        trigramIds.defaultReturnValue(-1);
        IntArrayList triIdOf = new IntArrayList();
        IntArrayList triLang = new IntArrayList();
        FloatArrayList triVal = new FloatArrayList();
        for (Language language : LANGUAGES) {
            if (language == Language.UNKNOWN) {
                continue;
            }
            int l = language.ordinal();
            readModel(language, "unigrams", (ngram, log) -> {
                if (ngram.length() == 1) {
                    int row = letterRows.computeIfAbsent(ngram.charAt(0), k -> uni.addRow());
                    uni.set(row, l, log);
                }
            });
            readModel(language, "bigrams", (ngram, log) -> {
                if (ngram.length() == 2) {
                    int row = bigramRows.computeIfAbsent(bigramKey(ngram.charAt(0), ngram.charAt(1)), k -> bi.addRow());
                    bi.set(row, l, log);
                }
            });
            readModel(language, "trigrams", (ngram, log) -> {
                if (ngram.length() == 3) {
                    long key = trigramKey(ngram.charAt(0), ngram.charAt(1), ngram.charAt(2));
                    int id = trigramIds.computeIfAbsent(key, k -> trigramIds.size());
                    triIdOf.add(id);
                    triLang.add(l);
                    triVal.add(log);
                }
            });
        }
        // Bigram rows back off to the first letter where a language lacks the bigram; letters get rows too.
        int letters = uni.rows();
        int bigrams = bi.rows();
        float[] rows = new float[(bigrams + letters) * N];
        for (Int2IntOpenHashMap.Entry e : bigramRows.int2IntEntrySet()) {
            int row = e.getIntValue();
            int letterRow = letterRows.get((char) (e.getIntKey() >>> 16));
            for (int l = 0; l < N; l++) {
                // Presence, not the value, decides the backoff: a bigram of probability 1 adds ln 1 = 0 and stops.
                float v = bi.get(row, l);
                rows[row * N + l] = !Float.isNaN(v) ? v : letterRow < 0 ? 0f : orZero(uni.get(letterRow, l));
            }
        }
        Int2IntOpenHashMap letterToRow = new Int2IntOpenHashMap();
        letterToRow.defaultReturnValue(-1);
        for (Int2IntOpenHashMap.Entry e : letterRows.int2IntEntrySet()) {
            int row = bigrams + e.getIntValue();
            letterToRow.put(e.getIntKey(), row);
            for (int l = 0; l < N; l++) {
                rows[row * N + l] = orZero(uni.get(e.getIntValue(), l));
            }
        }
        // Trigram entries grouped by trigram (a counting sort by id), each group sorted by language: languages
        // were read in ordinal order, so a stable placement keeps them sorted.
        int trigrams = trigramIds.size();
        int[] start = new int[trigrams + 1];
        for (int i = 0; i < triIdOf.size(); i++) {
            start[triIdOf.getInt(i) + 1]++;
        }
        for (int t = 0; t < trigrams; t++) {
            start[t + 1] += start[t];
        }
        int[] fill = Arrays.copyOf(start, trigrams);
        byte[] language = new byte[triIdOf.size()];
        float[] log = new float[triIdOf.size()];
        for (int i = 0; i < triIdOf.size(); i++) {
            int at = fill[triIdOf.getInt(i)]++;
            language[at] = (byte) triLang.getInt(i);
            log[at] = triVal.getFloat(i);
        }
        Long2IntOpenHashMap slices = new Long2IntOpenHashMap(trigrams);
        slices.defaultReturnValue(-1);
        int[] sliceEnds = new int[triIdOf.size()];
        for (Long2IntOpenHashMap.Entry e : trigramIds.long2IntEntrySet()) {
            int id = e.getIntValue();
            slices.put(e.getLongKey(), start[id]);
            for (int i = start[id]; i < start[id + 1]; i++) {
                sliceEnds[i] = start[id + 1];
            }
        }
        slices.trim();
        bigramRows.trim();
        letterToRow.trim();
        return new TrigramTables(slices, sliceEnds, language, log, bigramRows, letterToRow, rows);
    }

    private static float orZero(float v) {
        return Float.isNaN(v) ? 0f : v;
    }

    private interface NgramSink {
        void accept(String ngram, float log);
    }

    /** Reads /language-models/iso/name.json from Lingua's jar: {"language":..., "ngrams": {"n/d": "a b c", ...}}. */
    private static void readModel(Language language, String name, NgramSink sink) {
        String path = "/language-models/" + language.getIsoCode639_1().name().toLowerCase(java.util.Locale.ROOT)
                + "/" + name + ".json";
        try (InputStream in = Language.class.getResourceAsStream(path)) {
            if (in == null) {
                return; // Lingua treats a missing model as an empty one
            }
            try (JsonParser p = new JsonFactory().createParser(in)) {
                expect(p.nextToken(), JsonToken.START_OBJECT, path);
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.getCurrentName();
                    JsonToken value = p.nextToken();
                    if (!field.equals("ngrams")) {
                        p.skipChildren();
                        continue;
                    }
                    expect(value, JsonToken.START_OBJECT, path);
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String fraction = p.getCurrentName();
                        int slash = fraction.indexOf('/');
                        float frequency = Float.parseFloat(fraction.substring(0, slash))
                                / Integer.parseInt(fraction.substring(slash + 1));
                        float log = (float) Math.log(frequency);
                        expect(p.nextToken(), JsonToken.VALUE_STRING, path);
                        for (String ngram : p.getText().split(" ")) {
                            sink.accept(ngram, log);
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read Lingua's model " + path, e);
        }
    }

    private static void expect(JsonToken actual, JsonToken expected, String path) throws IOException {
        if (actual != expected) {
            throw new IOException(path + ": expected " + expected + ", found " + actual);
        }
    }

    /** Growable rows of N floats; NaN marks an n-gram a language's model does not have. */
    private static final class FloatRows {
        private float[] data = new float[0];
        private int rows;

        int addRow() {
            if ((rows + 1) * N > data.length) {
                int old = data.length;
                data = Arrays.copyOf(data, Math.max(1024 * N, old * 2));
                Arrays.fill(data, old, data.length, Float.NaN);
            }
            return rows++;
        }

        void set(int row, int column, float v) {
            data[row * N + column] = v;
        }

        float get(int row, int column) {
            return data[row * N + column];
        }

        int rows() {
            return rows;
        }
    }
}
