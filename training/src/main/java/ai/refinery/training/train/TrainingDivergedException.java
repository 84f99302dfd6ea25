package ai.refinery.training.train;

/** The loss (or a parameter) became NaN or infinite; the last good checkpoint, if any, is kept. */
public class TrainingDivergedException extends RuntimeException {
    private final long step;
    private final String lastGoodCheckpoint;

    public TrainingDivergedException(long step, String what, String lastGoodCheckpoint) {
        super(what + " at step " + step + "; training stopped. "
                + (lastGoodCheckpoint == null ? "No checkpoint was written before."
                : "The last good checkpoint is " + lastGoodCheckpoint + ".")
                + " Lower train.learning_rate or set train.gradient_clip, then resume.");
        this.step = step;
        this.lastGoodCheckpoint = lastGoodCheckpoint;
    }

    public long step() {
        return step;
    }

    /** Path of the newest checkpoint written before the failure, or null. */
    public String lastGoodCheckpoint() {
        return lastGoodCheckpoint;
    }
}
