package ai.refinery.training.train;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;

import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Graphs kept in each executor JVM between averaging rounds, one per concurrently running task, so a round only
 * copies parameters and optimizer state into a graph instead of building and initialising a new one.
 */
final class WorkerModels {
    private static final Map<String, Queue<ComputationGraph>> POOL = new ConcurrentHashMap<>();

    private WorkerModels() {
    }

    /** A graph of the configuration (JSON), its parameters and optimizer state set to the given ones. */
    static ComputationGraph borrow(String configuration, float[] params, float[] updaterState) {
        ComputationGraph g = POOL.computeIfAbsent(configuration, k -> new ConcurrentLinkedQueue<>()).poll();
        if (g == null) {
            g = new ComputationGraph(ComputationGraphConfiguration.fromJson(configuration));
            g.init();
        }
        ModelState.copyInto(g, params, updaterState);
        return g;
    }

    static void giveBack(String configuration, ComputationGraph g) {
        POOL.computeIfAbsent(configuration, k -> new ConcurrentLinkedQueue<>()).add(g);
    }

    /** Drops this JVM's graphs (at the end of a run). */
    static void clear() {
        POOL.clear();
    }
}
