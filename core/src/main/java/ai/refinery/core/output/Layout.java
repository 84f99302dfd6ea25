package ai.refinery.core.output;

/**
 * The names inside the folders Refinery writes, owned here rather than by the commands so that every stage and
 * every reader agrees on them.
 *
 * <p>A stage output folder (replaced as a whole, atomically): {@link #DATA}, {@link #REJECTED}, {@link #STATS},
 * {@link #MANIFEST}, {@link #SUCCESS} last, plus stage-specific children (e.g. {@link #TOKENIZER_JSON}).
 *
 * <p>A training run folder (resumable, written in place): {@link #CHECKPOINTS}, {@link #METRICS},
 * {@link #MODEL_JSON}, {@link #TOKENIZER_JSON}, {@link #STATS}, {@link #MANIFEST}; {@link #SUCCESS} once a run has
 * finished (removed again when a resumed run starts). No {@link #REJECTED}.
 */
public final class Layout {
    /** Parquet of the rows a stage keeps or produces. */
    public static final String DATA = "data";
    /** Parquet of the rows a stage drops, each with stage, reason and detail. */
    public static final String REJECTED = "rejected";
    /** The counts (see {@link ai.refinery.core.outcome.Counts}) and the stage's own figures. */
    public static final String STATS = "stats.json";
    /** What ran: command, arguments, configuration, inputs, versions, times, outcome and counts. */
    public static final String MANIFEST = "manifest.json";
    /** Written last: without it a folder is not a finished output. */
    public static final String SUCCESS = "_SUCCESS";

    /** A run folder's checkpoints, one child per saved step. */
    public static final String CHECKPOINTS = "checkpoints";
    /** A run folder's Parquet metrics (step, tokens, loss, val_loss, lr, tokens_per_s). */
    public static final String METRICS = "metrics";
    /** A run folder's model settings. */
    public static final String MODEL_JSON = "model.json";
    /** A tokenizer in the Hugging Face format: the tokenizer stage's output, copied into packed data and runs. */
    public static final String TOKENIZER_JSON = "tokenizer.json";

    private Layout() {
    }
}
