package ai.refinery.training.analysis;

import ai.refinery.core.config.Section;
import com.typesafe.config.Config;

import java.io.Serializable;

/**
 * Settings of knowledge (section "knowledge").
 *
 * @param promptSets   few-shot prompts per question (K)
 * @param shots        exemplars per prompt
 * @param samples      sampled answers per prompt (S)
 * @param temperature  temperature of the sampled answers
 * @param maxTokens    tokens per answer at most
 * @param seed         seed of the exemplar draws and the sampled answers
 * @param exemplarPool rows the exemplars are drawn from
 */
public record KnowledgeSettings(int promptSets, int shots, int samples, double temperature, int maxTokens, long seed,
                                int exemplarPool) implements Serializable {
    public static final String SECTION = "knowledge";

    public static KnowledgeSettings from(Config config) {
        Section s = new Section(config, SECTION);
        return new KnowledgeSettings(s.intAtLeast("prompt_sets", 1), s.intAtLeast("shots", 0), s.intAtLeast("samples", 0),
                s.doubleIn("temperature", Double.MIN_VALUE, 2), s.intAtLeast("max_tokens", 1),
                s.longAtLeast("seed", Long.MIN_VALUE), s.intAtLeast("exemplar_pool", 1));
    }

    /** Continuations decoded per question: one greedy and S sampled per prompt. */
    public int continuations() {
        return promptSets * (1 + samples);
    }
}
