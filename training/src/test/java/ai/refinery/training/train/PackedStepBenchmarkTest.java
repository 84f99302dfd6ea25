package ai.refinery.training.train;

import ai.refinery.training.model.GptModel;
import ai.refinery.training.model.ModelSettings;
import ai.refinery.training.model.PackedPositions;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CPU time of one optimizer step on packed windows (four sequences each: block mask and restarted positions)
 * against the same windows as one sequence, on one native thread, no Spark; the two alternate so that load
 * drifts hit both. Off by default:
 * mvn -pl training test -Dtest=PackedStepBenchmarkTest -Drefinery.bench=true
 * (prints to target/surefire-reports/*PackedStepBenchmarkTest-output.txt).
 */
class PackedStepBenchmarkTest {

    @Test
    void packedStepCpuTimeAgainstPlain() {
        Assumptions.assumeTrue(Boolean.getBoolean("refinery.bench"), "set -Drefinery.bench=true to run");
        for (String size : new String[] {"tiny", "small"}) {
            ModelSettings m = TrainingData.namedModel(size).withVocabSize(1024).withContextLength(128);
            TrainSettings t = TrainSettings.from(TrainingData.conf());
            ComputationGraph g = GptModel.build(m, t.optimization(), DataType.FLOAT, 1);
            int batch = 8;
            int len = m.contextLength();
            DataSet d = TrainingData.randomBatch(m, batch, 1);
            int[][] p = new int[batch][len];
            for (int[] row : p) {
                for (int j = 0; j < len; j++) {
                    row[j] = j % (len / 4);
                }
            }
            PackedPositions packed = PackedPositions.of(p);
            int steps = size.equals("tiny") ? 20 : 4;
            double plain = 0;
            double withPositions = 0;
            for (int round = 0; round < 4; round++) {
                double a = cpuSecondsPerStep(g, d, null, steps);
                double b = cpuSecondsPerStep(g, d, PackedPositions.of(p), steps);
                if (round > 0) { // the first round warms up
                    plain += a;
                    withPositions += b;
                }
            }
            System.err.printf("%s (%,d parameters), batch %d x %d: plain %.1f ms/step, packed %.1f ms/step (%.3fx)%n",
                    size, g.numParams(), batch, len, 1000 * plain / 3, 1000 * withPositions / 3, withPositions / plain);
            assertTrue(plain > 0 && withPositions > 0 && packed.minibatch() == batch);
        }
    }

    private static double cpuSecondsPerStep(ComputationGraph g, DataSet d, PackedPositions positions, int steps) {
        long cpu = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        for (int i = 0; i < steps; i++) {
            // Each step builds its minibatch's positions anew, as training does.
            OptimizerStep.apply(g, d, positions == null ? null : copy(positions), i, 1.0);
        }
        return (ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - cpu) / 1e9 / steps;
    }

    private static PackedPositions copy(PackedPositions p) {
        int[][] rows = new int[p.minibatch()][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = p.positions(i);
        }
        return PackedPositions.of(rows);
    }
}
