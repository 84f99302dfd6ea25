package ai.refinery.training.train;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.Serializable;

/**
 * What a worker needs to continue training a graph: its configuration (JSON, with the updater and its learning
 * rate schedule), flat parameters and flat optimizer state, as plain arrays (Spark serialises them without
 * ND4J's help).
 */
record ModelState(String configuration, float[] params, float[] updaterState) implements Serializable {

    /** The graph's state, with its configuration as JSON (from the caller: writing it costs more than a copy). */
    static ModelState of(ComputationGraph g, String configuration) {
        return new ModelState(configuration, g.params().toFloatVector(), updaterState(g));
    }

    static float[] updaterState(ComputationGraph g) {
        INDArray u = g.getUpdater().getStateViewArray();
        return u == null ? new float[0] : u.toFloatVector();
    }

    static void copyInto(ComputationGraph g, float[] params, float[] updaterState) {
        INDArray p = g.params();
        p.assign(Nd4j.createFromArray(params).reshape(p.shape()).castTo(p.dataType()));
        INDArray u = g.getUpdater().getStateViewArray();
        if (u != null && updaterState.length > 0) {
            u.assign(Nd4j.createFromArray(updaterState).reshape(u.shape()).castTo(u.dataType()));
        }
    }
}
