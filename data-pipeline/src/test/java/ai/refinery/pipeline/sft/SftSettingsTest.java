package ai.refinery.pipeline.sft;

import ai.refinery.core.sft.SftFormat;
import ai.refinery.core.sft.SftSettings;
import ai.refinery.core.config.ConfigError;
import ai.refinery.core.config.Settings;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SftSettingsTest {
    @Test
    void theShippedDefaultsAreTheDocumentedOnes() {
        assertEquals(SftSettings.defaults(), SftSettings.from(Settings.load(null, List.of())));
    }

    @Test
    void overridesAreRead() {
        SftSettings s = SftSettings.from(Settings.load(null, List.of("sft.format=sharegpt", "sft.overlong=reject",
                "sft.train_on=last_turn", "sft.packing=padded")));
        assertEquals(new SftSettings(SftFormat.SHAREGPT, SftSettings.Overlong.REJECT, SftSettings.TrainOn.LAST_TURN,
                SftSettings.Packing.PADDED), s);
    }

    @Test
    void badValuesNameTheirKey() {
        for (String[] bad : new String[][] {{"sft.format=jsonl", "sft.format"}, {"sft.overlong=wrap", "sft.overlong"},
                {"sft.train_on=everything", "sft.train_on"}, {"sft.packing=tight", "sft.packing"}}) {
            ConfigError e = assertThrows(ConfigError.class, () -> SftSettings.from(Settings.load(null, List.of(bad[0]))));
            assertTrue(e.getMessage().startsWith(bad[1] + ":"), e.getMessage());
        }
    }
}
