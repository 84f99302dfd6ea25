package ai.refinery.training.train;

import ai.refinery.training.model.GptModel;
import ai.refinery.training.model.ModelSettings;
import com.typesafe.config.ConfigFactory;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;

import java.io.File;

/**
 * Training throughput of the named sizes on one CPU thread pool, no Spark. Off by default:
 * mvn -pl training test -Dtest=ThroughputBenchmarkTest -Drefinery.bench=true
 * (prints to target/surefire-reports/*ThroughputBenchmarkTest-output.txt).
 */
class ThroughputBenchmarkTest {
    @Test
    void tokensPerSecond() {
        Assumptions.assumeTrue(Boolean.getBoolean("refinery.bench"), "set -Drefinery.bench=true to run");
        for (String size : new String[] {"tiny", "small"}) {
            ModelSettings m = TrainingData.namedModel(size);
            TrainSettings t = TrainSettings.from(ConfigFactory.parseFile(new File("../conf/refinery.conf")).resolve());
            ComputationGraph g = GptModel.build(m, t.optimization(), DataType.FLOAT, 1);
            int batch = size.equals("tiny") ? 16 : 4;
            DataSet d = TrainingData.randomBatch(m, batch, 1);
            for (int i = 0; i < 3; i++) {
                g.fit(d);
            }
            int steps = size.equals("tiny") ? 30 : 5;
            long start = System.nanoTime();
            for (int i = 0; i < steps; i++) {
                g.fit(d);
            }
            double s = (System.nanoTime() - start) / 1e9;
            System.err.printf("%s: %,d parameters, batch %d x %d tokens, %.0f ms/step, %.0f tokens/s%n", size,
                    g.numParams(), batch, m.contextLength(), 1000 * s / steps, steps * batch * m.contextLength() / s);
        }
    }
}
