package ai.refinery.training.tokenizer;

import ai.refinery.core.config.ConfigError;
import ai.refinery.core.config.Settings;
import ai.refinery.training.Corpora;
import ai.refinery.training.SparkTestSession;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenizerTrainerTest {
    private static Dataset<Row> docs(SparkSession spark, List<String> texts, int partitions) {
        return spark.createDataset(texts, Encoders.STRING()).toDF("text").repartition(partitions);
    }

    @Test
    void sparkTrainingIsDeterministicAndMatchesTheDriverOnlyResult() throws Exception {
        SparkSession spark = SparkTestSession.get();
        List<String> lines = new ArrayList<>(Corpora.languageTestLines());
        lines.add(null);
        TokenizerSettings settings = new TokenizerSettings(1500, 2, 1_000_000, "text");

        TokenizerTrainer.Report one = TokenizerTrainer.fit(spark, docs(spark, lines, 1), settings);
        TokenizerTrainer.Report four = TokenizerTrainer.fit(spark, docs(spark, lines, 4), settings);
        assertEquals(1500, one.tokenizer().vocabSize());
        assertEquals(lines.size(), one.documents());
        assertEquals(1, one.nullDocuments());
        long utf8 = lines.stream().filter(java.util.Objects::nonNull)
                .mapToLong(l -> l.getBytes(java.nio.charset.StandardCharsets.UTF_8).length).sum();
        assertEquals(utf8, one.bytes());
        assertEquals(one.bytes(), four.bytes());
        assertEquals(one.distinctWords(), four.distinctWords());
        assertMergesEqual(one.tokenizer(), four.tokenizer());

        List<String> nonNull = lines.subList(0, lines.size() - 1);
        BpeTokenizer local = TokenizerTrainer.learn(BpeTokenizerTest.table(nonNull), settings);
        assertMergesEqual(one.tokenizer(), local);
    }

    @Test
    void smallCorpusStopsAtTheMinimumPairFrequency() {
        SparkSession spark = SparkTestSession.get();
        // Pieces: "ab" x3, " ab" x2 (pairs (a,b)=5, (' ',a)=2, then (' ',ab)=2): 2 merges reach count 2.
        List<String> texts = List.of("ab ab", "ab ab", "ab");
        BpeTokenizer tok = TokenizerTrainer.train(spark, docs(spark, texts, 2),
                new TokenizerSettings(8192, 2, 1000, "text"));
        assertEquals(SpecialTokens.MIN_VOCAB_SIZE + 2, tok.vocabSize());
        assertArrayEquals(new String[] {"a", "b"}, tok.merges().get(0));
        assertArrayEquals(new String[] {"Ġ", "ab"}, tok.merges().get(1));
        assertArrayEquals(new int[] {262, 263}, tok.encode("ab ab"));
    }

    @Test
    void maxWordsKeepsTheMostFrequentPieces() {
        SparkSession spark = SparkTestSession.get();
        List<String> texts = List.of("xy xy xy zw", "xy");
        TokenizerTrainer.Report r = TokenizerTrainer.fit(spark, docs(spark, texts, 2),
                new TokenizerSettings(300, 1, 2, "text"));
        assertEquals(3, r.distinctWords()); // "xy", " xy", " zw"
        assertEquals(2, r.wordsUsed());
        assertTrue(r.tokenizer().idOf("zw") < 0 && r.tokenizer().idOf("Ġzw") < 0);
    }

    @Test
    void settingsComeFromTheConfigurationAndBadValuesNameTheKey() {
        TokenizerSettings d = TokenizerSettings.from(Settings.defaults());
        assertEquals(8192, d.vocabSize());
        assertEquals(2, d.minPairFrequency());
        ConfigError e = assertThrows(ConfigError.class,
                () -> TokenizerSettings.from(Settings.load((File) null, List.of("tokenizer.vocab_size=261"))));
        assertTrue(e.getMessage().startsWith("tokenizer.vocab_size"), e.getMessage());
        e = assertThrows(ConfigError.class,
                () -> TokenizerSettings.from(Settings.load((File) null, List.of("tokenizer.min_pair_frequency=lots"))));
        assertTrue(e.getMessage().startsWith("tokenizer.min_pair_frequency"), e.getMessage());
    }

    private static void assertMergesEqual(BpeTokenizer a, BpeTokenizer b) {
        assertEquals(a.merges().size(), b.merges().size());
        for (int i = 0; i < a.merges().size(); i++) {
            assertArrayEquals(a.merges().get(i), b.merges().get(i), "merge " + i);
        }
    }
}
