package ai.refinery.training.pack;

import ai.refinery.core.config.ConfigError;
import ai.refinery.core.config.Settings;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Window arithmetic, the data budget and the settings, without Spark. */
class PlainPackingTest {
    @Test
    void windowCountsAndTails() {
        // T = 4: a window needs 5 tokens; each further window 4 more.
        assertEquals(0, WindowCutter.windows(4, 4));
        assertEquals(1, WindowCutter.windows(5, 4));
        assertEquals(1, WindowCutter.windows(8, 4));
        assertEquals(2, WindowCutter.windows(9, 4));
        assertEquals(4, WindowCutter.droppedTokens(4, 4));
        assertEquals(0, WindowCutter.droppedTokens(5, 4));
        assertEquals(3, WindowCutter.droppedTokens(8, 4));
    }

    @Test
    void piecesShareBoundaryTokens() {
        // A 6-token document at stream position 3 with T = 4 and 3 windows: stream 3..8. Window 0 spans 0..4,
        // window 1 spans 4..8, window 2 spans 8..12.
        List<WindowCutter.Piece> p = WindowCutter.pieces(3, 6, 4, 3);
        assertEquals(List.of(new WindowCutter.Piece(0, 3, 0, 2), new WindowCutter.Piece(1, 0, 1, 6),
                new WindowCutter.Piece(2, 0, 5, 6)), p);
        // Windows at or past the limit get nothing.
        assertEquals(List.of(new WindowCutter.Piece(0, 3, 0, 2), new WindowCutter.Piece(1, 0, 1, 6)),
                WindowCutter.pieces(3, 6, 4, 2));
        assertEquals(List.of(new WindowCutter.Piece(0, 0, 0, 1)), WindowCutter.pieces(0, 1, 4, 1));
    }

    @Test
    void effectiveDataFollowsTheDataConstrainedLaw() {
        double u = 1e9;
        assertEquals(u, DataBudget.effectiveTokens(u, 1, 15.4), 1e-3);
        assertEquals(0.5 * u, DataBudget.effectiveTokens(u, 0.5, 15.4), 1e-3);
        // 4 epochs: R = 3, D' = U (1 + 15.4 (1 - e^(-3/15.4))) = 3.72588 U (vs 4 U of fresh data).
        assertEquals(1 + 15.4 * (1 - Math.exp(-3 / 15.4)), DataBudget.effectiveTokens(u, 4, 15.4) / u, 1e-12);
        assertEquals(3.72588, DataBudget.effectiveTokens(u, 4, 15.4) / u, 1e-4);
        // The limit for many epochs is U (1 + R*) = 16.4 U.
        assertEquals(16.4, DataBudget.effectiveTokens(u, 1000, 15.4) / u, 1e-6);
    }

    @Test
    void validationDocumentCount() {
        assertEquals(0, Packer.validationDocuments(100, 0));
        assertEquals(0, Packer.validationDocuments(1, 0.5));
        assertEquals(1, Packer.validationDocuments(10, 0.01));
        assertEquals(3, Packer.validationDocuments(250, 0.01)); // 2.5 rounds up
        assertEquals(9, Packer.validationDocuments(10, 0.99));
    }

    @Test
    void settingsComeFromTheConfigurationAndBadValuesNameTheKey() {
        PackSettings d = PackSettings.from(Settings.defaults());
        assertEquals(PackSettings.defaults(), d);
        assertFalse(d.plannedEpochs() > d.maxRecommendedEpochs());
        PackSettings five = PackSettings.from(Settings.load((File) null, List.of("pack.planned_epochs=5")));
        assertTrue(five.plannedEpochs() > five.maxRecommendedEpochs());
        for (String bad : List.of("pack.context_length=0", "pack.validation_fraction=1", "pack.seed=x",
                "pack.repetition_constant=0", "pack.planned_epochs=0")) {
            ConfigError e = assertThrows(ConfigError.class, () -> PackSettings.from(Settings.load((File) null, List.of(bad))));
            String key = bad.substring(0, bad.indexOf('='));
            assertTrue(e.getMessage().startsWith(key), e.getMessage());
        }
    }
}
