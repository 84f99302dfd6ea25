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
import java.util.Random;

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
            ModelSettings m = ModelSettings.from(ConfigFactory.parseFile(new File("../conf/model-" + size + ".conf"))
                    .withFallback(ConfigFactory.parseFile(new File("../conf/refinery.conf"))).resolve());
            TrainSettings t = TrainSettings.from(ConfigFactory.parseFile(new File("../conf/refinery.conf")).resolve());
            ComputationGraph g = GptModel.build(m, t.optimization(), DataType.FLOAT, 1);
            int batch = size.equals("tiny") ? 16 : 4;
            Random r = new Random(1);
            int[][] w = new int[batch][m.contextLength() + 1];
            for (int[] row : w) {
                for (int j = 0; j < row.length; j++) {
                    row[j] = r.nextInt(m.vocabSize());
                }
            }
            DataSet d = GptModel.dataSet(w, m.contextLength(), DataType.FLOAT);
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
