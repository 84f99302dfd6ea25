package ai.refinery.training.train;

import java.util.List;

/**
 * Where a training run's examples come from: an ordered, endless stream of training examples (it wraps round to
 * its start, a new epoch in the same order) and a fixed validation set. Positions in the stream are what a
 * checkpoint saves, so a resumed run continues with the examples an uninterrupted run would have seen.
 */
public interface BatchSource extends AutoCloseable {

    /** Training examples in one epoch (at least 1). */
    long trainExamples();

    /** The training examples at stream positions from .. from + count - 1, each taken modulo the epoch. */
    List<TrainingExample> trainRange(long from, long count);

    /** At most max validation examples, always the same ones. */
    List<TrainingExample> validation(int max);

    /** Frees what the source keeps (cached data). */
    @Override
    void close();
}
