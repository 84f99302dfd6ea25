package ai.refinery.pipeline.sft;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Input names: NAME=PATH, or the file or folder name without extensions; the same name joins inputs. */
class SftInputsTest {
    @Test
    void namesComeFromTheOptionOrThePath() {
        assertEquals("alpaca", SftInputs.nameOf("data/alpaca.jsonl.gz"));
        assertEquals("alpaca_data", SftInputs.nameOf("file:///data/alpaca_data.json"));
        assertEquals("bios-qa", SftInputs.nameOf("out/bios-qa/"));
        assertEquals("oasst", SftInputs.nameOf("s3a://bucket/oasst/*.jsonl"));
        assertEquals("split_train", SftInputs.nameOf("out/qa/data/split=train"));
        List<SftInputs.Named> named = SftInputs.parse(List.of("chat=a.jsonl", "out/qa", "chat=b.parquet",
                "data/split=train"));
        assertEquals(List.of(new SftInputs.Named("chat", List.of("a.jsonl", "b.parquet")),
                new SftInputs.Named("qa", List.of("out/qa")),
                new SftInputs.Named("split_train", List.of("data/split=train"))), named);
    }
}
