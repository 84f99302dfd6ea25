package ai.refinery.rephrasing.model;

import ai.refinery.core.config.ConfigError;
import ai.refinery.core.config.Settings;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GuardsTest {
    @Test
    void containmentCountsTheOutputsWordNgramsFoundInTheSource() {
        String src = "The quick brown fox jumps over the lazy dog near the river bank.";
        // 9 words -> 5 distinct 5-grams; the first three ("the quick brown fox jumps", "quick ... over",
        // "brown ... the") are in the source, the last two are not.
        String out = "The QUICK brown fox, jumps over the sleepy cat";
        assertEquals(3.0 / 5, Guards.containment(out, src, 5), 1e-12);
        assertEquals(1.0, Guards.containment(src, src, 5), 1e-12);
        assertEquals(0.0, Guards.containment("Completely different words appear in this sentence here", src, 5), 1e-12);
        // Fewer words than n: one shingle of all of them.
        assertEquals(1.0, Guards.containment("lazy dog", src, 5), 1e-12);
        assertEquals(0.0, Guards.containment("dog lazy", src, 5), 1e-12);
        assertEquals(0.0, Guards.containment("...", src, 5), 1e-12);
    }

    @Test
    void thresholdsAreInclusiveForCopiesAndStrictForLength() {
        String src = "The quick brown fox jumps over the lazy dog near the river bank.";
        String out = "The QUICK brown fox, jumps over the sleepy cat"; // containment 0.6, 46 characters
        assertEquals(46, out.length());
        assertEquals("copies_source", Guards.basic(0, 1000, 5, 0.6).check("i", out, src).reason());
        assertTrue(Guards.basic(0, 1000, 5, 0.61).check("i", out, src).kept());
        assertTrue(Guards.basic(46, 46, 5, 2).check("i", out, src).kept());
        Guards.Verdict shortV = Guards.basic(47, 1000, 5, 2).check("i", out, src);
        assertEquals("too_short", shortV.reason());
        assertEquals("length", shortV.guard());
        assertEquals("46 < 47 characters", shortV.detail());
        assertEquals("too_long", Guards.basic(0, 45, 5, 2).check("i", out, src).reason());
    }

    @Test
    void filterStagesComeFromTheirFilterSettings() {
        var config = Settings.load(null, List.of("rephrase.guards.stages=[gopher_repetition]",
                "rephrase.guards.min_chars=0", "rephrase.guards.copy_threshold=2"));
        Guards g = Guards.from(config);
        assertEquals(List.of("gopher_repetition"), g.stageNames());
        String repeated = "buy now\n".repeat(10) + "and then something else entirely\n";
        Guards.Verdict v = g.check("i", repeated, "source");
        assertEquals("gopher_repetition", v.guard());
        assertTrue(v.reason() != null);
        // Long enough for datatrove's top n-gram rule, which counts even an n-gram seen once against the length.
        Guards.Verdict fine = g.check("i", "A normal sentence about a topic, written as a model would rephrase it: "
                + "plain prose that says one thing after another.\nAnother line that differs from the first one and "
                + "goes on to explain why the topic matters to the people who read about it every day.", "source");
        assertTrue(fine.kept());
        assertNull(fine.lang());

        ConfigError e = assertThrows(ConfigError.class, () -> Guards.from(Settings.load(null,
                List.of("rephrase.guards.stages=[no_such_stage]"))));
        assertTrue(e.getMessage().contains("rephrase.guards.stages"), e.getMessage());
    }

    @Test
    void promptTemplatesLoadFromTheJarAndNeedTheirPlaceholder() {
        var config = Settings.load(null, List.of());
        ModelRephraseSettings s = ModelRephraseSettings.from(config);
        assertEquals(List.of("wikipedia", "question_answer", "simple", "hard"), List.copyOf(s.templates().keySet()));
        String p = s.prompt("simple", "  Cats sleep a lot.  ");
        assertTrue(p.contains("\nCats sleep a lot.\n"), p);
        assertEquals("ab", PromptTemplates.render("{text}", "ab cd", 3).strip());
        assertThrows(ConfigError.class, () -> ModelRephraseSettings.from(Settings.load(null,
                List.of("rephrase.model.styles=[poetry]"))));
    }
}
