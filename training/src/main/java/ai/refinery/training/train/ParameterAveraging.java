package ai.refinery.training.train;

import ai.refinery.training.model.TokenSoftmaxOutputLayer;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * One round of synchronous parameter averaging on Spark: every worker starts from the same parameters and
 * optimizer state, takes its steps on its own minibatches at the global iterations, and the driver averages the
 * parameters and optimizer state the workers end with. Each worker is one Spark task with exactly the minibatches
 * the driver planned for it, so the data order is the same whatever the partitioning of the input, and no worker
 * is ever without data.
 */
final class ParameterAveraging {

    private ParameterAveraging() {
    }

    /**
     * A worker's share of a round: minibatch j is taken at global iteration firstStep + j with loss weight
     * weights[j] per target.
     */
    record WorkerPlan(int worker, long firstStep, List<List<TrainingExample>> minibatches, double[] weights)
            implements Serializable {
    }

    /** Summed over the workers: parameters, optimizer state, unweighted target loss and targets. */
    record WorkerSum(float[] params, float[] updaterState, double loss, long targets, int workers)
            implements Serializable {

        WorkerSum plus(WorkerSum o) {
            return new WorkerSum(add(params, o.params), add(updaterState, o.updaterState), loss + o.loss,
                    targets + o.targets, workers + o.workers);
        }

        private static float[] add(float[] a, float[] b) {
            float[] s = a.clone();
            for (int i = 0; i < s.length; i++) {
                s[i] += b[i];
            }
            return s;
        }
    }

    /** A round's result: the averaged state went into the graph; loss is per target over the whole round. */
    record Outcome(double loss, long targets) {
    }

    /** Runs the plans (one per worker) from the graph's state and writes the averaged state back into the graph. */
    static Outcome round(JavaSparkContext jsc, ComputationGraph graph, String configuration, List<WorkerPlan> plans,
                         Objective objective, int contextLength, double clip, long seed) {
        Broadcast<ModelState> state = jsc.broadcast(ModelState.of(graph, configuration));
        try {
            WorkerSum sum = jsc.parallelize(plans, plans.size())
                    .map(plan -> train(plan, state.value(), objective, contextLength, clip, seed))
                    .treeReduce(WorkerSum::plus);
            float inv = 1f / sum.workers();
            float[] params = sum.params();
            float[] updater = sum.updaterState();
            for (int i = 0; i < params.length; i++) {
                params[i] *= inv;
            }
            for (int i = 0; i < updater.length; i++) {
                updater[i] *= inv;
            }
            ModelState.copyInto(graph, params, updater);
            return new Outcome(sum.loss() / Math.max(1, sum.targets()), sum.targets());
        } finally {
            state.destroy();
        }
    }

    private static WorkerSum train(WorkerPlan plan, ModelState state, Objective objective, int t, double clip,
                                   long seed) {
        ComputationGraph g = WorkerModels.borrow(state.configuration(), state.params(), state.updaterState());
        try {
            DataType type = g.getConfiguration().getDataType();
            double loss = 0;
            long targets = 0;
            for (int j = 0; j < plan.minibatches().size(); j++) {
                long step = plan.firstStep() + j;
                List<TrainingExample> examples = plan.minibatches().get(j);
                double weight = plan.weights()[j];
                // Dropout masks differ per worker and step, and are the same on a rerun.
                Nd4j.getRandom().setSeed(seed * 1_000_003L + step * 1_009L + plan.worker());
                DataSet batch = objective.minibatch(examples, t, weight, type);
                OptimizerStep.Outcome o = OptimizerStep.apply(g, batch, objective.positions(examples, t),
                        Math.toIntExact(step), clip);
                loss += weight > 0 ? o.weightedLoss() / weight : 0;
                targets += objective.targets(examples);
            }
            return new WorkerSum(g.params().toFloatVector(), ModelState.updaterState(g), loss, targets, 1);
        } finally {
            WorkerModels.giveBack(state.configuration(), g);
        }
    }

    /** The graph on the minibatches (evaluated in parallel): loss, targets and correct predictions, summed. */
    static Objective.Evaluation evaluate(JavaSparkContext jsc, ComputationGraph graph, String configuration,
                                         List<List<TrainingExample>> minibatches, Objective objective,
                                         int contextLength, int workers) {
        Broadcast<ModelState> state = jsc.broadcast(ModelState.of(graph, configuration));
        try {
            return jsc.parallelize(minibatches, Math.max(1, Math.min(workers, minibatches.size())))
                    .map(examples -> {
                        ModelState s = state.value();
                        ComputationGraph g = WorkerModels.borrow(s.configuration(), s.params(), s.updaterState());
                        try {
                            return objective.evaluate(g, examples, contextLength);
                        } finally {
                            g.clear();
                            WorkerModels.giveBack(s.configuration(), g);
                        }
                    })
                    .fold(Objective.Evaluation.NONE, Objective.Evaluation::plus);
        } finally {
            state.destroy();
        }
    }

    /** Splits examples into minibatches of at most size. */
    static List<List<TrainingExample>> minibatches(List<TrainingExample> examples, int size) {
        List<List<TrainingExample>> out = new ArrayList<>();
        for (int i = 0; i < examples.size(); i += size) {
            out.add(new ArrayList<>(examples.subList(i, Math.min(examples.size(), i + size))));
        }
        return out;
    }
}
