package ai.refinery.pipeline.funnel;

import ai.refinery.pipeline.filter.Outcome;

import java.io.Serializable;

/**
 * A document's way through the filter stages: the final outcome, the stage that rejected it (null when kept),
 * and its size after each stage it passed, so the funnel can report characters and bytes in and out per stage.
 *
 * @param charsAfter {@code charsAfter[i]} = characters after the i-th stage it passed (index 0 = after reading)
 * @param bytesAfter the same in UTF-8 bytes
 */
public record TracedOutcome(Outcome outcome, String rejectingStage, int[] charsAfter, int[] bytesAfter)
        implements Serializable {

    public boolean kept() {
        return outcome.kept();
    }
}
