package ai.refinery.training.decode;

import ai.refinery.training.model.GptModel;
import ai.refinery.training.model.ModelSettings;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Scored tokens per second of teacher forcing with the small model's shape (vocabulary 8192, context 256, width
 * 192, 4 blocks: 4.98M parameters), random weights, one thread: 64 pairs of a 32-token prompt and a 224-token
 * response (the context filled), scored by {@link TokenScorer} 1 and 16 pairs per call, against the graph's
 * full-window forward pass (16 windows per call, log-probabilities read from its softmax). Skipped unless
 * -Drefinery.bench=true:
 * mvn -B -q -o -pl core,training test -Dtest=ScoreBenchmarkTest -Drefinery.bench=true
 * -Dsurefire.failIfNoSpecifiedTests=false (figures in
 * training/target/surefire-reports/ai.refinery.training.decode.ScoreBenchmarkTest-output.txt).
 */
class ScoreBenchmarkTest {
    private static final int PROMPT = 32;
    private static final int RESPONSE = 224;
    private static final int PAIRS = 64;

    private static double processCpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime() / 1e9;
    }

    @Test
    void scoredTokensPerSecond() {
        assumeTrue(Boolean.getBoolean("refinery.bench"), "benchmark: run with -Drefinery.bench=true");
        ModelSettings small = new ModelSettings(8192, 256, 192, 4, 4, 4, 0);
        ComputationGraph g = GptModel.build(small, GptModel.Optimization.none(), DataType.FLOAT, 1);
        DecoderWeights w = DecoderWeights.from(g);
        Random r = new Random(2);
        List<int[]> contexts = new ArrayList<>();
        List<int[]> targets = new ArrayList<>();
        for (int i = 0; i < PAIRS; i++) {
            int[] c = new int[PROMPT];
            int[] t = new int[RESPONSE];
            for (int j = 0; j < PROMPT; j++) {
                c[j] = 6 + r.nextInt(8000);
            }
            for (int j = 0; j < RESPONSE; j++) {
                t[j] = 6 + r.nextInt(8000);
            }
            contexts.add(c);
            targets.add(t);
        }
        long tokens = (long) PAIRS * RESPONSE;
        double[] cachedSum = new double[1];
        for (int round = 0; round < 2; round++) {
            for (int batch : new int[] {1, 16}) {
                TokenScorer scorer = new TokenScorer(w, 0, 512);
                double c0 = processCpuSeconds();
                long t0 = System.nanoTime();
                double sum = 0;
                for (int i = 0; i < PAIRS; i += batch) {
                    for (TokenScorer.Scores s : scorer.scoreAll(contexts.subList(i, i + batch), targets.subList(i, i + batch))) {
                        sum += s.sum();
                    }
                }
                double s = (System.nanoTime() - t0) / 1e9;
                double cs = processCpuSeconds() - c0;
                cachedSum[0] = sum;
                System.out.printf("%scached pairs_per_call=%d tokens=%d wall_s=%.2f tokens_per_s=%.0f cpu_tokens_per_s=%.0f%n",
                        round == 0 ? "(warm-up) " : "", batch, tokens, s, tokens / s, tokens / cs);
            }
        }
        // The full-window forward pass: 16 windows of 256 tokens per call, the response's log-probabilities from
        // the softmax at positions 31..254.
        for (int round = 0; round < 2; round++) {
            double c0 = processCpuSeconds();
            long t0 = System.nanoTime();
            double sum = 0;
            for (int i = 0; i < PAIRS; i += 16) {
                int[][] windows = new int[16][];
                for (int k = 0; k < 16; k++) {
                    int[] seq = new int[PROMPT + RESPONSE - 1];
                    System.arraycopy(contexts.get(i + k), 0, seq, 0, PROMPT);
                    System.arraycopy(targets.get(i + k), 0, seq, PROMPT, RESPONSE - 1);
                    windows[k] = seq;
                }
                INDArray p = GptModel.probabilities(g, windows, 256, 1);
                for (int k = 0; k < 16; k++) {
                    for (int j = 0; j < RESPONSE; j++) {
                        sum += Math.log(p.getDouble(k, targets.get(i + k)[j], PROMPT - 1 + j));
                    }
                }
            }
            double s = (System.nanoTime() - t0) / 1e9;
            double cs = processCpuSeconds() - c0;
            System.out.printf("%sfull-window windows_per_call=16 tokens=%d wall_s=%.2f tokens_per_s=%.0f cpu_tokens_per_s=%.0f%n",
                    round == 0 ? "(warm-up) " : "", tokens, s, tokens / s, tokens / cs);
            // Both paths give the same total log-probability (float softmax against the scorer's double).
            assertEquals(sum, cachedSum[0], Math.abs(sum) * 1e-4);
        }
    }
}
