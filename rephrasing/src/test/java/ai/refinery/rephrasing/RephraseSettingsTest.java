package ai.refinery.rephrasing;

import ai.refinery.core.config.ConfigError;
import ai.refinery.core.config.Settings;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RephraseSettingsTest {

    @Test
    void defaultsFollowThePaper() {
        BiosSettings bios = BiosSettings.from(Settings.defaults());
        assertEquals(100_000, bios.people());
        assertEquals(42, bios.seed());
        assertEquals(0, bios.partitions());
        RephraseSettings r = RephraseSettings.from(Settings.defaults());
        assertEquals(1, r.multi());
        assertFalse(r.permute());
        assertFalse(r.fullname());
        assertEquals(0.5, r.qa().testFraction());
        assertEquals(1, r.qa().questionsPerAttribute());
        assertEquals("", r.qa().systemPrompt());
        assertEquals("template/multi1", r.rephraserName());
    }

    @Test
    void overridesAreRead() {
        RephraseSettings r = RephraseSettings.from(Settings.load(null, List.of("rephrase.multi=5",
                "rephrase.permute=true", "rephrase.fullname=true", "rephrase.qa.questions_per_attribute=0",
                "rephrase.qa.system_prompt=Answer briefly")));
        assertEquals(5, r.multi());
        assertEquals("template/multi5+permute+fullname", r.rephraserName());
        assertEquals(0, r.qa().questionsPerAttribute());
        assertEquals("Answer briefly", r.qa().systemPrompt());
        assertEquals(160_000_000L, BiosSettings.from(Settings.load(null, List.of("bios.people=160000000"))).people());
    }

    @Test
    void badValuesNameTheKey() {
        assertKey("rephrase.multi", "rephrase.multi=0");
        assertKey("rephrase.multi", "rephrase.multi=1001");
        assertKey("rephrase.multi", "rephrase.multi=many");
        assertKey("rephrase.permute", "rephrase.permute=sometimes");
        assertKey("rephrase.qa.test_fraction", "rephrase.qa.test_fraction=1.5");
        assertKey("rephrase.qa.questions_per_attribute", "rephrase.qa.questions_per_attribute=6");
        assertKey("rephrase.qa.questions_per_attribute", "rephrase.qa.questions_per_attribute=-1");
        assertKey("bios.people", "bios.people=0");
        assertKey("bios.people", "bios.people=160000001");
        assertKey("bios.partitions", "bios.partitions=-2");
    }

    private static void assertKey(String key, String override) {
        ConfigError e = assertThrows(ConfigError.class, () -> {
            var config = Settings.load(null, List.of(override));
            BiosSettings.from(config);
            RephraseSettings.from(config);
        });
        assertTrue(e.getMessage().startsWith(key + ":"), e.getMessage());
    }
}
