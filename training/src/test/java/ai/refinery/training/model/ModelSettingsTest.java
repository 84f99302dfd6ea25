package ai.refinery.training.model;

import ai.refinery.core.config.ConfigError;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

import java.io.File;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelSettingsTest {
    private static ModelSettings named(String size) {
        Config defaults = ConfigFactory.parseFile(new File("../conf/refinery.conf"));
        Config c = size == null ? defaults
                : ConfigFactory.parseFile(new File("../conf/model-" + size + ".conf")).withFallback(defaults);
        c = c.resolve();
        ModelSettings m = ModelSettings.from(c);
        assertEquals(c.getInt("pack.context_length"), m.contextLength(), "model and packing must agree");
        return m;
    }

    @Test
    void namedSizes() {
        ModelSettings tiny = named("tiny");
        assertEquals(32, tiny.width());
        assertEquals(32, tiny.contextLength());
        assertTrue(tiny.layers() <= 2);
        ModelSettings small = named("small");
        assertTrue(small.parameterCount() >= 3_000_000 && small.parameterCount() <= 6_000_000, "" + small.parameterCount());
        ModelSettings base = named("base");
        assertTrue(base.parameterCount() > 4 * small.parameterCount(), "" + base.parameterCount());
        assertEquals(small, named(null)); // the defaults are the small model
        assertEquals(8192, small.vocabSize());
    }

    @Test
    void trainingFlopsOfTheSmallModel() {
        ModelSettings small = named("small");
        long blocks = 4L * 12 * 192 * 192; // 1,769,472 projection and MLP weights
        long output = 192L * 8192; // 1,572,864
        long attention = 12L * 4 * 256 * 192; // 2,359,296
        assertEquals(6 * (blocks + output) + attention, small.trainingFlopsPerToken());
        assertEquals(22_413_312L, small.trainingFlopsPerToken());
        // Doubling the context only adds attention FLOPs.
        assertEquals(attention, small.withContextLength(512).trainingFlopsPerToken() - small.trainingFlopsPerToken());
    }

    @Test
    void badShapesNameTheKey() {
        ConfigError e = assertThrows(ConfigError.class, () -> new ModelSettings(100, 8, 30, 1, 4, 4, 0));
        assertTrue(e.getMessage().contains("model.heads"), e.getMessage());
        e = assertThrows(ConfigError.class, () -> new ModelSettings(100, 8, 32, 1, 4, 4, 1.0));
        assertTrue(e.getMessage().contains("model.dropout"), e.getMessage());
    }
}
