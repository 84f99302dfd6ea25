package ai.refinery.core.schema;

/**
 * Column names of the stage outputs (documented in README.md), shared by every module so that a rename is one
 * edit and an analyst's query works on any stage's output.
 */
public final class Columns {
    /** Stable document id, derived from the source and the record, never a counter. */
    public static final String ID = "id";
    public static final String TEXT = "text";
    /** The page URL where the source has one; nullable. */
    public static final String URL = "url";
    /** Where the row came from: the input file's URI, or the generator's name. */
    public static final String SOURCE = "source";
    public static final String FORMAT = "format";
    public static final String RECORD_ID = "record_id";
    public static final String FETCH_TIME = "fetch_time";
    public static final String LANG = "lang";
    public static final String LANG_SCORE = "lang_score";
    /**
     * Named scores of a document (map of string to double): what scoring steps measured, apart from any keep
     * decision, so a new score needs no schema change.
     */
    public static final String SCORES = "scores";

    /** rejected/: the stage that dropped the row. */
    public static final String STAGE = "stage";
    /** rejected/: a stable snake_case (or kebab-case) code of why. */
    public static final String REASON = "reason";
    /** rejected/: the measured value against the threshold, or the error. */
    public static final String DETAIL = "detail";

    /** dedup's rejected/: the id of the kept document of the cluster. */
    public static final String DUPLICATE_OF = "duplicate_of";
    /** dedup's data/: the input rows a survivor stands for. */
    public static final String CLUSTER_SIZE = "cluster_size";

    private Columns() {
    }
}
