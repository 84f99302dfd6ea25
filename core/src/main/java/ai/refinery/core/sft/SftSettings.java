package ai.refinery.core.sft;

import ai.refinery.core.config.Section;
import com.typesafe.config.Config;

import java.io.Serializable;
import java.util.Set;

/**
 * Settings of supervised fine-tuning data (section "sft" of conf/refinery.conf).
 *
 * @param format   the input format of instruction data, or {@link SftFormat#AUTO} to detect it per record
 * @param overlong what to do with a conversation longer than a window
 * @param trainOn  which assistant turns are training targets
 * @param packing  one conversation per window, or several
 */
public record SftSettings(SftFormat format, Overlong overlong, TrainOn trainOn, Packing packing) implements Serializable {

    /** How conversations fill training windows. */
    public enum Packing {
        /** One conversation per window, the rest padding. */
        PADDED,
        /**
         * Several conversations per window (best-fit decreasing), each attending only to itself with positions
         * restarted at 0; the rest padding.
         */
        PACKED
    }

    /** A conversation with more than context_length + 1 tokens. */
    public enum Overlong {
        /** Keep its first context_length + 1 tokens (dropped when no target is left in them). */
        TRUNCATE,
        /** Drop it (counted in stats.json). */
        REJECT
    }

    public enum TrainOn {
        /** Every assistant turn of a conversation is a target (the peers' default). */
        ALL_ASSISTANT_TURNS,
        /** Only the last assistant turn; earlier ones are context (LLaMA-Factory's mask_history). */
        LAST_TURN,
        /**
         * Response tuning (Hewitt et al. 2024): the instructions are dropped (system turns removed, user turns
         * emptied) and every assistant turn is a target, so the model learns the responses alone.
         */
        RESPONSE_ONLY
    }

    public static SftSettings defaults() {
        return new SftSettings(SftFormat.AUTO, Overlong.TRUNCATE, TrainOn.ALL_ASSISTANT_TURNS, Packing.PACKED);
    }

    public static SftSettings from(Config config) {
        Section s = new Section(config, "sft");
        return new SftSettings(
                SftFormat.parse(s.string("format"), s.key("format")),
                Overlong.valueOf(s.oneOf("overlong", Set.of("truncate", "reject")).toUpperCase(java.util.Locale.ROOT)),
                TrainOn.valueOf(s.oneOf("train_on", Set.of("all_assistant_turns", "last_turn", "response_only"))
                        .toUpperCase(java.util.Locale.ROOT)),
                Packing.valueOf(s.oneOf("packing", Set.of("padded", "packed")).toUpperCase(java.util.Locale.ROOT)));
    }

    public SftSettings withOverlong(Overlong o) {
        return new SftSettings(format, o, trainOn, packing);
    }

    public SftSettings withTrainOn(TrainOn t) {
        return new SftSettings(format, overlong, t, packing);
    }

    public SftSettings withPacking(Packing p) {
        return new SftSettings(format, overlong, trainOn, p);
    }
}
