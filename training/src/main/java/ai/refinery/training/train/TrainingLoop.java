package ai.refinery.training.train;

import ai.refinery.core.output.Layout;
import ai.refinery.training.model.GptModel;
import ai.refinery.training.model.ModelSettings;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The one training loop, for every objective: synchronous parameter averaging on Spark.
 *
 * <p>A step is one minibatch of batch_size_per_worker examples on each of the workers; step s takes the next
 * workers x batch_size_per_worker examples of the source's stream, worker w the w-th slice of them, so with one
 * worker the order is exactly the stream's. Workers take averaging_frequency steps on their own copies (a round),
 * then the driver averages parameters and Adam's state. A round also ends at an evaluation or checkpoint step, so
 * those intervals need not be multiples of the averaging frequency. Every step runs at its global iteration
 * (learning-rate schedule and Adam's bias correction), and its loss is the sum over its targets divided by the
 * targets of the whole step on all workers.
 *
 * <p>Each interval (up to the next evaluation or checkpoint step) logs one metrics row: the training loss per
 * target over the interval, the validation loss when evaluated, the learning rate of its last step and the
 * throughput. The run stops with {@link TrainingDivergedException} when a loss or a parameter stops being finite.
 */
public final class TrainingLoop {
    private static final Logger LOG = LoggerFactory.getLogger(TrainingLoop.class);

    private TrainingLoop() {
    }

    /**
     * Trains up to train.max_steps, or stopAt steps in total when smaller (the schedule still runs to max_steps:
     * one run split into several jobs).
     *
     * @param runDir the run folder (any Hadoop FS URI) for checkpoints/ and metrics/, or null for none
     */
    public static TrainResult run(SparkSession spark, BatchSource data, Objective objective, ModelSettings model,
                                  TrainSettings train, String runDir, int stopAt) {
        return run(spark, data, objective, model, train, runDir, stopAt, null);
    }

    /**
     * As {@link #run(SparkSession, BatchSource, Objective, ModelSettings, TrainSettings, String, int)}, starting
     * from the parameters of {@code initial} (a trained graph of the same model settings: fine-tuning) instead of
     * a fresh initialisation; the optimizer state starts fresh from the settings. The starting point is evaluated
     * on the validation examples before the first step ({@link TrainResult#start()}), also when the run resumes
     * from a checkpoint, which then supplies the parameters to continue from.
     *
     * @param initial null for a fresh initialisation
     * @throws IllegalArgumentException when initial's parameters do not fit the model settings
     */
    public static TrainResult run(SparkSession spark, BatchSource data, Objective objective, ModelSettings model,
                                  TrainSettings train, String runDir, int stopAt, ComputationGraph initial) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        int t = model.contextLength();
        int end = Math.min(stopAt, train.maxSteps());
        int workers = train.workersOr(jsc.defaultParallelism());
        int batch = train.batchSizePerWorker();
        long perStep = (long) workers * batch;
        WarmupCosineSchedule schedule = train.schedule();
        try {
            List<List<TrainingExample>> validation =
                    ParameterAveraging.minibatches(data.validation(train.evalWindows()), batch);
            Checkpoints checkpoints = runDir == null ? null : new Checkpoints(runDir + "/" + Layout.CHECKPOINTS,
                    spark.sparkContext().hadoopConfiguration(), train.keepCheckpoints());
            String metricsDir = runDir == null ? null : runDir + "/" + Layout.METRICS;
            List<MetricRow> rows = new ArrayList<>();
            Optional<Checkpoints.Loaded> loaded = checkpoints != null && train.resume()
                    ? checkpoints.loadLatest() : Optional.empty();
            ComputationGraph graph;
            Checkpoints.State state;
            String lastCheckpoint = null;
            ComputationGraph start = null;
            Objective.Evaluation startEvaluation = null;
            if (initial != null) {
                start = GptModel.build(model, train.optimization(), DataType.FLOAT, train.seed());
                copyParameters(initial, start);
                if (!validation.isEmpty()) {
                    startEvaluation = ParameterAveraging.evaluate(jsc, start, start.getConfiguration().toJson(),
                            validation, objective, t, workers);
                    LOG.info("step 0 (the starting weights): val_loss {} val_accuracy {}",
                            String.format("%.4f", startEvaluation.loss()),
                            String.format("%.4f", startEvaluation.accuracy()));
                }
            }
            if (loaded.isPresent()) {
                graph = loaded.get().model();
                state = loaded.get().state();
                lastCheckpoint = loaded.get().path();
                // Parameters and optimizer state come from the checkpoint, the learning-rate schedule and weight
                // decay from the current settings (so a diverged run can resume with a lower rate).
                graph.setLearningRate(schedule);
                GptModel.setWeightDecay(graph.getConfiguration(), train.weightDecay());
                long at = state.step();
                List<MetricRow> history = loaded.get().metrics().isEmpty() ? MetricsTable.read(spark, metricsDir)
                        : loaded.get().metrics();
                history.stream().filter(r -> r.step() <= at).forEach(rows::add);
                LOG.info("Resuming from {} (step {}, {} tokens)", lastCheckpoint, at, state.tokens());
            } else {
                graph = start != null ? start : GptModel.build(model, train.optimization(), DataType.FLOAT, train.seed());
                state = new Checkpoints.State(0, 0, 0);
            }
            String configuration = graph.getConfiguration().toJson();
            long resumedFrom = state.step();
            long step = state.step();
            long tokens = state.tokens();
            long position = state.position();
            long firstStep = step;
            long runStarted = System.nanoTime();
            long targetsTrained = 0;
            double trainSeconds = 0;
            LOG.info("Training ({}) steps {}..{} on {} workers x {} examples of {} tokens, averaging every {} steps",
                    objective.name(), step, end, workers, batch, t, train.averagingFrequency());
            while (step < end) {
                long intervalEnd = Math.min(end, Math.min(nextMultiple(step, train.evalEvery()),
                        nextMultiple(step, train.checkpointEvery())));
                long started = System.nanoTime();
                long examples = (intervalEnd - step) * perStep;
                List<TrainingExample> interval = data.trainRange(position, examples);
                double lossSum = 0;
                long targets = 0;
                for (long roundStart = step; roundStart < intervalEnd; ) {
                    long roundEnd = Math.min(intervalEnd, roundStart + train.averagingFrequency());
                    List<ParameterAveraging.WorkerPlan> plans = plan(interval, (int) ((roundStart - step) * perStep),
                            roundStart, roundEnd, workers, batch, objective);
                    ParameterAveraging.Outcome o = ParameterAveraging.round(jsc, graph, configuration, plans, objective, t,
                            train.gradientClip(), train.seed());
                    lossSum += o.loss() * o.targets();
                    targets += o.targets();
                    if (!Double.isFinite(o.loss()) || !finite(graph)) {
                        double lr = schedule.valueAt((int) roundEnd - 1, 0);
                        rows.add(new MetricRow(roundEnd, tokens + (roundEnd - step) * perStep * t, o.loss(), null, lr,
                                0, null));
                        if (metricsDir != null) {
                            MetricsTable.write(spark, rows, metricsDir);
                        }
                        throw new TrainingDivergedException(roundEnd, Double.isFinite(o.loss())
                                ? "a parameter became NaN or infinite" : "the training loss became " + o.loss(),
                                lastCheckpoint);
                    }
                    roundStart = roundEnd;
                }
                double seconds = (System.nanoTime() - started) / 1e9;
                targetsTrained += targets;
                trainSeconds += seconds;
                tokens += examples * t;
                position += examples;
                step = intervalEnd;
                double loss = lossSum / Math.max(1, targets);
                double lr = schedule.valueAt((int) step - 1, 0);
                Double valLoss = null;
                Double valAccuracy = null;
                if (!validation.isEmpty() && (step % train.evalEvery() == 0 || step == end)) {
                    Objective.Evaluation e = ParameterAveraging.evaluate(jsc, graph, configuration, validation,
                            objective, t, workers);
                    valLoss = e.loss();
                    valAccuracy = e.accuracy();
                    if (!Double.isFinite(valLoss)) {
                        throw new TrainingDivergedException(step, "the validation loss became " + valLoss,
                                lastCheckpoint);
                    }
                }
                MetricRow row = new MetricRow(step, tokens, loss, valLoss, lr, examples * t / seconds, valAccuracy);
                rows.add(row);
                double perStepSeconds = (System.nanoTime() - runStarted) / 1e9 / (step - firstStep);
                LOG.info("step {}/{} tokens {} loss {} val_loss {} val_accuracy {} ppl {} lr {} tokens/s {} eta {}", step,
                        end, tokens, String.format("%.4f", loss), valLoss == null ? "-" : String.format("%.4f", valLoss),
                        valAccuracy == null ? "-" : String.format("%.4f", valAccuracy),
                        row.valPerplexity() == null ? "-" : String.format("%.2f", row.valPerplexity()),
                        String.format("%.3g", lr), String.format("%.0f", row.tokensPerS()),
                        Duration.ofSeconds(Math.round(perStepSeconds * (end - step))));
                if (checkpoints != null && (step % train.checkpointEvery() == 0 || step == end)) {
                    lastCheckpoint = checkpoints.save(graph, new Checkpoints.State(step, tokens, position), rows);
                    MetricsTable.write(spark, rows, metricsDir);
                }
            }
            return new TrainResult(graph, Collections.unmodifiableList(rows), step, tokens, lastCheckpoint,
                    resumedFrom, startEvaluation, targetsTrained, trainSeconds);
        } finally {
            WorkerModels.clear();
        }
    }

    /**
     * Trains on packed windows (pretraining, or fine-tuning when the windows carry a loss mask) with the
     * next-token objective; see {@link #run(SparkSession, BatchSource, Objective, ModelSettings, TrainSettings,
     * String, int)}.
     *
     * @throws IllegalArgumentException when the windows do not fit the model (see {@link PackedWindows})
     */
    public static TrainResult onPackedWindows(SparkSession spark, Dataset<Row> windows, ModelSettings model,
                                              TrainSettings train, String runDir, int stopAt) {
        return onPackedWindows(spark, windows, model, train, runDir, stopAt, null);
    }

    /** {@link #onPackedWindows} starting from a trained graph's parameters (null: a fresh initialisation). */
    public static TrainResult onPackedWindows(SparkSession spark, Dataset<Row> windows, ModelSettings model,
                                              TrainSettings train, String runDir, int stopAt,
                                              ComputationGraph initial) {
        try (PackedWindows data = new PackedWindows(windows, model.contextLength(), model.vocabSize())) {
            return run(spark, data, new NextTokenObjective(), model, train, runDir, stopAt, initial);
        }
    }

    /** Copies every parameter of {@code from} into {@code to}, which must have the same parameters and shapes. */
    static void copyParameters(ComputationGraph from, ComputationGraph to) {
        java.util.Map<String, org.nd4j.linalg.api.ndarray.INDArray> source = from.paramTable();
        java.util.Map<String, org.nd4j.linalg.api.ndarray.INDArray> target = to.paramTable();
        if (!source.keySet().equals(target.keySet())) {
            throw new IllegalArgumentException("the starting model's parameters " + source.keySet()
                    + " are not the model's " + target.keySet());
        }
        for (var e : target.entrySet()) {
            org.nd4j.linalg.api.ndarray.INDArray s = source.get(e.getKey());
            if (!java.util.Arrays.equals(s.shape(), e.getValue().shape())) {
                throw new IllegalArgumentException("parameter " + e.getKey() + " of the starting model has shape "
                        + java.util.Arrays.toString(s.shape()) + ", the model's is "
                        + java.util.Arrays.toString(e.getValue().shape()));
            }
            e.getValue().assign(s.castTo(e.getValue().dataType()));
        }
    }

    /**
     * The workers' plans for steps from..to-1 of an interval whose examples start at offset: step s's examples
     * are the perStep examples from offset + (s - from) * perStep, worker w's minibatch the w-th slice of them;
     * every target of step s weighs workers / (targets of step s on all workers).
     */
    static List<ParameterAveraging.WorkerPlan> plan(List<TrainingExample> examples, int offset, long from, long to,
                                                    int workers, int batch, Objective objective) {
        int steps = (int) (to - from);
        double[] weights = new double[steps];
        for (int j = 0; j < steps; j++) {
            int base = offset + j * workers * batch;
            long stepTargets = objective.targets(examples.subList(base, base + workers * batch));
            weights[j] = stepTargets == 0 ? 0 : (double) workers / stepTargets;
        }
        List<ParameterAveraging.WorkerPlan> plans = new ArrayList<>(workers);
        for (int w = 0; w < workers; w++) {
            List<List<TrainingExample>> minibatches = new ArrayList<>(steps);
            for (int j = 0; j < steps; j++) {
                int base = offset + j * workers * batch + w * batch;
                minibatches.add(new ArrayList<>(examples.subList(base, base + batch)));
            }
            plans.add(new ParameterAveraging.WorkerPlan(w, from, minibatches, weights));
        }
        return plans;
    }

    private static long nextMultiple(long step, int every) {
        return (step / every + 1) * every;
    }

    private static boolean finite(ComputationGraph graph) {
        // A NaN or an infinity anywhere makes the sum NaN or infinite.
        return Double.isFinite(graph.params().sumNumber().doubleValue());
    }
}
