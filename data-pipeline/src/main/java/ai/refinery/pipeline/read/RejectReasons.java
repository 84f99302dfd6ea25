package ai.refinery.pipeline.read;

/** Reasons the read stage gives for input records that do not become documents. */
public final class RejectReasons {
    /** The stage name of reading and text extraction in rejected/ and stats.json. */
    public static final String STAGE = "read";

    /** The record could not be parsed (truncated gzip, garbage between records, broken JSON). */
    public static final String UNREADABLE = "unreadable";
    /** The payload is not HTML or text (an image, a PDF, ...). */
    public static final String NOT_TEXT = "not-text";
    /** The payload is larger than input.max_record_bytes. */
    public static final String TOO_LARGE = "too-large";
    /** Extraction left no text. */
    public static final String EMPTY = "empty";

    private RejectReasons() {
    }
}
