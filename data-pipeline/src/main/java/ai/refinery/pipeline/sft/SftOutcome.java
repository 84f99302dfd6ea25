package ai.refinery.pipeline.sft;

import ai.refinery.core.sft.SftFormat;
import ai.refinery.core.sft.SftRejectReasons;
import ai.refinery.core.sft.SftRow;
import java.io.Serializable;
import java.util.Objects;

/**
 * What the converter made of one input record: an instruction row, or a rejection with a stable reason code
 * ({@link SftRejectReasons}) and a human-readable detail. A rejection still carries the record's id and source.
 *
 * @param format the format the record was read as, null when it matches none (or is not JSON)
 */
public record SftOutcome(SftRow row, String id, String source, SftFormat format, String reason, String detail)
        implements Serializable {

    public static SftOutcome keep(SftRow row, SftFormat format) {
        return new SftOutcome(Objects.requireNonNull(row), row.id(), row.source(), format, null, null);
    }

    public static SftOutcome reject(String id, String source, SftFormat format, String reason, String detail) {
        return new SftOutcome(null, id, source, format, Objects.requireNonNull(reason), detail);
    }

    public boolean kept() {
        return reason == null;
    }
}
