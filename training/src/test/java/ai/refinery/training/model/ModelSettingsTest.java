package ai.refinery.training.model;

import ai.refinery.pipeline.config.ConfigError;
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
    void badShapesNameTheKey() {
        ConfigError e = assertThrows(ConfigError.class, () -> new ModelSettings(100, 8, 30, 1, 4, 4, 0));
        assertTrue(e.getMessage().contains("model.heads"), e.getMessage());
        e = assertThrows(ConfigError.class, () -> new ModelSettings(100, 8, 32, 1, 4, 4, 1.0));
        assertTrue(e.getMessage().contains("model.dropout"), e.getMessage());
    }
}
