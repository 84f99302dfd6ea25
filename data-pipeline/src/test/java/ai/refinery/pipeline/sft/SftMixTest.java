package ai.refinery.pipeline.sft;

import ai.refinery.core.config.ConfigError;
import ai.refinery.core.config.Settings;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The mix plan: shares follow the weights within a row, caps and rows available bound it, nothing repeats. */
class SftMixTest {
    private static SftMix mix(String... settings) {
        return SftMix.from(Settings.load(null, List.of(settings)));
    }

    private static Map<String, Long> rows(List<SftMix.Quota> plan) {
        return plan.stream().collect(Collectors.toMap(SftMix.Quota::name, SftMix.Quota::rows));
    }

    @Test
    void noSourcesMeansNoMixing() {
        assertFalse(mix().enabled());
    }

    @Test
    void theScarcestInputSizesTheMix() {
        SftMix m = mix("sft.mix.sources.a.weight=3", "sft.mix.sources.b.weight=1");
        // b has 100 rows at a quarter of the mix: 400 rows, 300 from a.
        assertEquals(Map.of("a", 300L, "b", 100L), rows(m.plan(Map.of("a", 1000L, "b", 100L))));
        // a has 150 rows at three quarters: 200 rows.
        assertEquals(Map.of("a", 150L, "b", 50L), rows(m.plan(Map.of("a", 150L, "b", 100L))));
    }

    @Test
    void capsBoundAnInputAndTotalBoundsTheMix() {
        SftMix capped = mix("sft.mix.sources.a.weight=1", "sft.mix.sources.b.weight=1", "sft.mix.sources.a.cap=40");
        assertEquals(Map.of("a", 40L, "b", 40L), rows(capped.plan(Map.of("a", 1000L, "b", 1000L))));
        SftMix total = mix("sft.mix.sources.a.weight=1", "sft.mix.sources.b.weight=1", "sft.mix.total=11");
        Map<String, Long> r = rows(total.plan(Map.of("a", 1000L, "b", 1000L)));
        assertEquals(11L, r.get("a") + r.get("b"), "largest remainder fills the total");
        assertTrue(Math.abs(r.get("a") - r.get("b")) <= 1);
    }

    @Test
    void realisedSharesAreWithinOneRowOfTheWeights() {
        SftMix m = mix("sft.mix.sources.a.weight=0.5", "sft.mix.sources.b.weight=0.3", "sft.mix.sources.c.weight=0.2",
                "sft.mix.sources.c.cap=77");
        for (long[] avail : new long[][] {{1000, 1000, 1000}, {91, 500, 500}, {3, 5, 7}, {12345, 999, 80}}) {
            List<SftMix.Quota> plan = m.plan(Map.of("a", avail[0], "b", avail[1], "c", avail[2]));
            long total = plan.stream().mapToLong(SftMix.Quota::rows).sum();
            for (SftMix.Quota q : plan) {
                assertTrue(q.rows() <= q.available() && q.rows() <= q.cap(), q.toString());
                assertTrue(Math.abs(q.rows() - q.targetShare() * total) <= 1.0, q + " of " + total);
            }
            // the mix is the largest possible: one more row of any input would break its limit or the shares
            assertTrue(plan.stream().anyMatch(q -> q.rows() + 1 > q.limit() * 1.0
                    || (q.rows() + 1) > q.targetShare() * (total + 1) + 1), plan.toString());
        }
    }

    @Test
    void everyInputNeedsAWeightAndEveryWeightAnInput() {
        SftMix m = mix("sft.mix.sources.a.weight=1", "sft.mix.sources.b.weight=1");
        m.checkInputs(List.of("a", "b"));
        ConfigError missing = assertThrows(ConfigError.class, () -> m.checkInputs(List.of("a", "b", "c")));
        assertTrue(missing.getMessage().contains("sft.mix.sources") && missing.getMessage().contains("c"), missing.getMessage());
        ConfigError extra = assertThrows(ConfigError.class, () -> m.checkInputs(List.of("a")));
        assertTrue(extra.getMessage().contains("sft.mix.sources.b"), extra.getMessage());
        mix().checkInputs(List.of("anything"));
    }

    @Test
    void badSettingsNameTheirKey() {
        assertTrue(assertThrows(ConfigError.class, () -> mix("sft.mix.sources.a.weight=0"))
                .getMessage().contains("sft.mix.sources.a.weight"));
        assertTrue(assertThrows(ConfigError.class, () -> mix("sft.mix.sources.a.cap=5"))
                .getMessage().contains("sft.mix.sources.a.weight"));
        assertTrue(assertThrows(ConfigError.class, () -> mix("sft.mix.sources.a.weight=1", "sft.mix.sources.a.share=2"))
                .getMessage().contains("sft.mix.sources.a.share"));
        assertTrue(assertThrows(ConfigError.class, () -> mix("sft.mix.sources.a.weight=1", "sft.mix.sources.a.cap=0"))
                .getMessage().contains("sft.mix.sources.a.cap"));
        assertTrue(assertThrows(ConfigError.class, () -> mix("sft.mix.sources.a=3"))
                .getMessage().contains("sft.mix.sources.a"));
    }
}
