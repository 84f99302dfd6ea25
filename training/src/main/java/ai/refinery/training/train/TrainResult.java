package ai.refinery.training.train;

import org.deeplearning4j.nn.graph.ComputationGraph;

import java.util.List;

/**
 * Outcome of {@link TrainingLoop#run}.
 *
 * @param model            the trained graph (with its optimizer state)
 * @param metrics          every metrics row of the run, earlier runs of a resumed run included
 * @param step             steps done
 * @param tokens           training tokens consumed
 * @param lastCheckpoint   path of the newest checkpoint, or null when no run folder was given
 * @param resumedFromStep  the checkpoint step this run continued from, or 0
 * @param start            the starting weights on the validation examples, for a run that started from trained
 *                         weights (fine-tuning; null otherwise, or without validation examples)
 * @param targets          loss-bearing targets trained on by this run's steps (all tokens in pretraining, the
 *                         masked-in ones in fine-tuning)
 * @param trainSeconds     wall-clock seconds of this run's steps, evaluations and checkpoints apart
 */
public record TrainResult(ComputationGraph model, List<MetricRow> metrics, long step, long tokens,
                             String lastCheckpoint, long resumedFromStep, Objective.Evaluation start, long targets,
                             double trainSeconds) {
}
