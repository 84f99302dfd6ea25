package ai.refinery.core.sft;

/** The reasons an input record does not become an instruction row (the {@code reason} column of rejected/). */
public final class SftRejectReasons {
    /** The {@code stage} column of rejected/. */
    public static final String STAGE = "sft_data";
    /** Not JSON, not an object, no known format's fields, or a field of the wrong type. */
    public static final String UNREADABLE = "unreadable";
    /** A role other than system, user and assistant (after mapping the format's own role names). */
    public static final String UNKNOWN_ROLE = "unknown_role";
    /** Not an optional system turn followed by user and assistant turns in turn, ending with an assistant's. */
    public static final String ROLES_OUT_OF_ORDER = "roles_out_of_order";
    /** An assistant turn with no text (or only whitespace): nothing to learn, and an all-zero loss mask. */
    public static final String EMPTY_ASSISTANT_TURN = "empty_assistant_turn";
    public static final String NO_ASSISTANT_TURN = "no_assistant_turn";
    /**
     * A second row with the id of a kept one: the same conversation twice from one source (derived ids hash the
     * conversation), or an input repeating its own ids. One row per id is kept.
     */
    public static final String DUPLICATE_ID = "duplicate_id";

    private SftRejectReasons() {
    }
}
