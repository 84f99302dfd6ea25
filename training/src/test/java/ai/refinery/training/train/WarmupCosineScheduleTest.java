package ai.refinery.training.train;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.learning.config.Adam;

import static org.junit.jupiter.api.Assertions.assertEquals;

class WarmupCosineScheduleTest {
    @Test
    void warmUpThenCosine() {
        WarmupCosineSchedule s = new WarmupCosineSchedule(1.0, 0.1, 4, 14);
        assertEquals(0.25, s.valueAt(0, 0), 1e-12);
        assertEquals(1.0, s.valueAt(3, 0), 1e-12);
        assertEquals(1.0, s.valueAt(4, 0), 1e-12); // cosine starts at the peak
        assertEquals(0.55, s.valueAt(9, 0), 1e-12); // half way: min + (peak - min) / 2
        assertEquals(0.1, s.valueAt(14, 0), 1e-12);
        assertEquals(0.1, s.valueAt(1000, 0), 1e-12);
    }

    @Test
    void survivesDl4jJson() {
        String json = new NeuralNetConfiguration.Builder().updater(new Adam(new WarmupCosineSchedule(0.5, 0.05, 3, 30)))
                .build().toJson();
        NeuralNetConfiguration back = NeuralNetConfiguration.fromJson(json);
        assertEquals(json, back.toJson());
    }
}
