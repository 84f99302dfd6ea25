package ai.refinery.training.tokenizer;

import ai.refinery.core.config.ConfigError;
import ai.refinery.core.config.Section;
import com.typesafe.config.Config;

import java.io.Serializable;

/**
 * Settings of tokenizer training (section "tokenizer" of conf/refinery.conf).
 *
 * @param vocabSize        total vocabulary size: special tokens, 256 bytes and the merges
 * @param minPairFrequency a pair is merged only if it occurs at least this often
 * @param maxWords         distinct pre-tokens kept for learning on the driver, most frequent first
 * @param textColumn       the documents' text column
 */
public record TokenizerSettings(int vocabSize, long minPairFrequency, int maxWords, String textColumn)
        implements Serializable {

    public TokenizerSettings {
        if (vocabSize < SpecialTokens.MIN_VOCAB_SIZE) {
            throw ConfigError.forKey("tokenizer.vocab_size", "must be at least " + SpecialTokens.MIN_VOCAB_SIZE
                    + " (special tokens and 256 bytes), got " + vocabSize);
        }
        if (minPairFrequency < 1) {
            throw ConfigError.forKey("tokenizer.min_pair_frequency", "must be at least 1, got " + minPairFrequency);
        }
        if (maxWords < 1) {
            throw ConfigError.forKey("tokenizer.max_words", "must be at least 1, got " + maxWords);
        }
    }

    public static TokenizerSettings from(Config config) {
        Section s = new Section(config, "tokenizer");
        return new TokenizerSettings(
                s.intAtLeast("vocab_size", SpecialTokens.MIN_VOCAB_SIZE),
                s.longAtLeast("min_pair_frequency", 1),
                s.intAtLeast("max_words", 1),
                "text");
    }

    public TokenizerSettings withVocabSize(int size) {
        return new TokenizerSettings(size, minPairFrequency, maxWords, textColumn);
    }

    public int mergesWanted() {
        return vocabSize - SpecialTokens.MIN_VOCAB_SIZE;
    }
}
