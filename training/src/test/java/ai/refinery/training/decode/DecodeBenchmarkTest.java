package ai.refinery.training.decode;

import ai.refinery.training.model.GptModel;
import ai.refinery.training.model.ModelSettings;
import ai.refinery.training.tokenizer.BpeTokenizer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * New tokens per second of greedy decoding with the small model (vocabulary 8192, context 256, width 192, 4 blocks,
 * 4 heads: 4.98M parameters), random weights, one thread: prompts of 32 tokens, 224 new tokens each (the context
 * filled), for 1, 16 and 64 prompts at once, against the old path (the whole padded window through the graph for
 * every new token, one prompt after another). Skipped unless -Drefinery.bench=true:
 * mvn -B -q -o -pl data-pipeline,training test -Dtest=DecodeBenchmarkTest -Drefinery.bench=true
 * -Dsurefire.failIfNoSpecifiedTests=false (figures in
 * training/target/surefire-reports/ai.refinery.training.decode.DecodeBenchmarkTest-output.txt).
 * The PyTorch reference of the same shape: bench/decode-reference.py.
 */
class DecodeBenchmarkTest {
    private static final int PROMPT = 32;
    private static final int NEW = 224;

    @Test
    void tokensPerSecond() {
        assumeTrue(Boolean.getBoolean("refinery.bench"), "benchmark: run with -Drefinery.bench=true");
        BpeTokenizer tok = BpeTokenizer.fromMerges(List.of()); // 262 tokens; the model's vocabulary is 8192
        ModelSettings small = new ModelSettings(8192, 256, 192, 4, 4, 4, 0);
        ComputationGraph g = GptModel.build(small, GptModel.Optimization.none(), DataType.FLOAT, 1);
        System.out.printf("small model: %d parameters, cores=%d%n", g.numParams(), Runtime.getRuntime().availableProcessors());
        DecoderWeights w = DecoderWeights.from(g);
        // min_tokens = max_tokens: no end of text, every prompt gets NEW tokens.
        SamplingSettings greedy = SamplingSettings.greedy(NEW).withMinTokens(NEW);
        Random r = new Random(1);
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();

        // The first round warms the JIT up; one prompt is run 4 times over (a 224-token run is short).
        for (int round = 0; round < 2; round++) {
            for (int batch : new int[] {1, 16, 64}) {
                int repeats = batch == 1 ? 4 : 1;
                BatchDecoder d = new BatchDecoder(w, tok, batch, 512);
                long tokens = 0;
                long c0 = cpu.getCurrentThreadCpuTime();
                long t0 = System.nanoTime();
                for (int rep = 0; rep < repeats; rep++) {
                    List<int[]> prompts = new ArrayList<>();
                    for (int i = 0; i < batch; i++) {
                        int[] p = new int[PROMPT];
                        for (int j = 0; j < PROMPT; j++) {
                            p[j] = 3 + r.nextInt(tok.vocabSize() - 3);
                        }
                        prompts.add(p);
                    }
                    tokens += d.generate(prompts, greedy).stream().mapToLong(Completion::completionTokens).sum();
                }
                double s = (System.nanoTime() - t0) / 1e9;
                double cs = (cpu.getCurrentThreadCpuTime() - c0) / 1e9;
                System.out.printf("%scached batch=%d new_tokens=%d wall_s=%.2f tokens_per_s=%.0f cpu_tokens_per_s=%.0f%n",
                        round == 0 ? "(warm-up) " : "", batch, tokens, s, tokens / s, tokens / cs);
            }
        }

        // The old path: the whole window, padded, through the graph for each new token; one prompt at a time.
        int[] prompt = new int[PROMPT];
        for (int j = 0; j < PROMPT; j++) {
            prompt[j] = 3 + r.nextInt(tok.vocabSize() - 3);
        }
        int steps = 24;
        int[] oldTokens = null;
        for (int round = 0; round < 2; round++) {
            long c0 = cpu.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            oldTokens = fullWindowGreedy(g, prompt, steps, tok.vocabSize(), tok.endOfTextId());
            double s = (System.nanoTime() - t0) / 1e9;
            double cs = (cpu.getCurrentThreadCpuTime() - c0) / 1e9;
            System.out.printf("old full-window batch=1 new_tokens=%d wall_s=%.2f tokens_per_s=%.1f cpu_tokens_per_s=%.1f%n",
                    steps, s, steps / s, steps / cs);
        }
        // Both paths pick the same tokens.
        int[] cached = new BatchDecoder(w, tok, 1, 512).generate(List.of(prompt), SamplingSettings.greedy(steps)
                .withMinTokens(steps)).get(0).tokens();
        assertArrayEquals(oldTokens, cached);
    }

    /** What the generator did before the cache: argmax of the graph's output at the last real position. */
    /** (End of text excluded, as min_tokens does for the cached path.) */
    private static int[] fullWindowGreedy(ComputationGraph g, int[] prompt, int steps, int limit, int endOfText) {
        int t = 256;
        int[] seq = new int[t];
        System.arraycopy(prompt, 0, seq, 0, prompt.length);
        int len = prompt.length;
        int[] out = new int[steps];
        for (int s = 0; s < steps; s++) {
            INDArray f = Nd4j.create(DataType.FLOAT, 1, t);
            for (int j = 0; j < t; j++) {
                f.putScalar(0, j, j < len ? seq[j] : 0);
            }
            double[] p = g.outputSingle(false, f).get(NDArrayIndex.point(0), NDArrayIndex.all(), NDArrayIndex.point(len - 1))
                    .toDoubleVector();
            int best = -1;
            for (int v = 0; v < limit; v++) {
                if (v != ai.refinery.training.tokenizer.SpecialTokens.PAD_ID && v != endOfText && (best < 0 || p[v] > p[best])) {
                    best = v;
                }
            }
            out[s] = best;
            seq[len++] = best;
        }
        return out;
    }
}
