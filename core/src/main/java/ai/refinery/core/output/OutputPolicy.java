package ai.refinery.core.output;

/** What to do with an existing output: the command line's default, {@code --overwrite}, or {@code --resume}. */
public enum OutputPolicy {
    /** Refuse an existing, non-empty output (exit 2). */
    REFUSE,
    /** Replace it: a stage output at commit time, a run folder at the start. */
    OVERWRITE,
    /** Continue it: run folders only (a stage output is always written whole). */
    RESUME;

    public static OutputPolicy of(boolean overwrite, boolean resume) {
        return resume ? RESUME : overwrite ? OVERWRITE : REFUSE;
    }
}
