package ai.refinery.training.analysis;

import ai.refinery.training.decode.BatchDecoder;
import ai.refinery.training.decode.DecoderWeights;
import ai.refinery.training.decode.SamplingSettings;
import ai.refinery.training.decode.Sequence;
import ai.refinery.training.generate.Generator;
import ai.refinery.training.model.GptModel;
import ai.refinery.training.model.ModelSettings;
import ai.refinery.training.tokenizer.BpeTokenizer;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Questions per second of knowledge's decoding with the small model's shape (vocabulary 8192, context 256, width
 * 192, 4 blocks, 4 heads), random weights, one thread, the default K = 10 prompts of 4 shots, S = 16 samples,
 * 24 tokens per answer (random weights never write the newline that ends an answer, so every answer takes all
 * 24: the worst case; -Drefinery.bench.max_tokens=6 for short answers such as bios attributes): each prompt run once for its 17 continuations (what the job does) against each
 * continuation running its own prompt. Skipped unless -Drefinery.bench=true:
 * mvn -B -q -o -pl core,training test -Dtest=KnowledgeBenchmarkTest -Drefinery.bench=true
 * -Dsurefire.failIfNoSpecifiedTests=false (figures in
 * training/target/surefire-reports/ai.refinery.training.analysis.KnowledgeBenchmarkTest-output.txt).
 */
class KnowledgeBenchmarkTest {
    private static final String[] CITIES = {"Oslo", "Lima", "Rome", "Kyiv", "Doha", "Bern", "Riga", "Baku"};

    @Test
    void questionsPerSecond() {
        assumeTrue(Boolean.getBoolean("refinery.bench"), "benchmark: run with -Drefinery.bench=true");
        BpeTokenizer tok = BpeTokenizer.fromMerges(List.of());
        ComputationGraph g = GptModel.build(new ModelSettings(8192, 256, 192, 4, 4, 4, 0), GptModel.Optimization.none(),
                DataType.FLOAT, 1);
        DecoderWeights w = DecoderWeights.from(g);
        int maxTokens = Integer.getInteger("refinery.bench.max_tokens", 24);
        KnowledgeSettings s = new KnowledgeSettings(10, 4, 16, 0.5, maxTokens, 42, 1000);
        List<KnowledgePrompts.Qa> pool = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            pool.add(new KnowledgePrompts.Qa("p" + i, "birth city of P" + i + "?", CITIES[i % CITIES.length]));
        }
        KnowledgePrompts prompts = new KnowledgePrompts(pool, s.shots(), s.seed());
        Generator generator = new Generator(w, tok, s.continuations());
        KnowledgeJob.Classifier classifier = new KnowledgeJob.Classifier(generator, prompts, s);
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        long promptTokens = 0;
        for (String p : prompts.prompts(pool.get(0), s.promptSets())) {
            promptTokens += tok.encode(p).length;
        }
        System.out.printf("small model: %d parameters; prompts of %d tokens on average; %d continuations per question, "
                + "%d tokens each%n", g.numParams(), promptTokens / s.promptSets(), s.continuations(), maxTokens);
        SamplingSettings greedy = SamplingSettings.greedy(s.maxTokens()).withStop(List.of("\n"));
        SamplingSettings sampled = new SamplingSettings(s.maxTokens(), s.temperature(), 0, 1.0, s.seed(), List.of("\n"));
        int questions = 6;
        // The first round warms the JIT up.
        for (int round = 0; round < 2; round++) {
            long c0 = cpu.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            for (int q = 0; q < questions; q++) {
                KnowledgePrompts.Qa qa = pool.get(100 + q);
                Row r = classifier.classify(RowFactory.create(qa.id(), qa.question(), qa.answer()));
                assertEquals(null, r.get(r.length() - 2), String.valueOf(r));
            }
            report(round, "shared prompt (the job)", questions, t0, c0, cpu);

            c0 = cpu.getCurrentThreadCpuTime();
            t0 = System.nanoTime();
            BatchDecoder d = generator.decoder();
            for (int q = 0; q < questions; q++) {
                KnowledgePrompts.Qa qa = pool.get(100 + q);
                List<Sequence> all = new ArrayList<>();
                int k = 0;
                for (String p : prompts.prompts(qa, s.promptSets())) {
                    int[] ids = tok.encode(p);
                    all.add(d.start(ids, greedy));
                    for (int j = 0; j < s.samples(); j++) {
                        all.add(d.start(ids, sampled.withSeed(KnowledgePrompts.mix(s.seed(), k, j))));
                    }
                    k++;
                }
                d.run(all);
            }
            report(round, "prompt per continuation", questions, t0, c0, cpu);
        }
    }

    private static void report(int round, String what, int questions, long t0, long c0, ThreadMXBean cpu) {
        double wall = (System.nanoTime() - t0) / 1e9;
        double cpuS = (cpu.getCurrentThreadCpuTime() - c0) / 1e9;
        System.out.printf("%s%s: questions=%d wall_s=%.2f questions_per_s=%.3f cpu_s=%.2f cpu_questions_per_s=%.3f%n",
                round == 0 ? "(warm-up) " : "", what, questions, wall, questions / wall, cpuS, questions / cpuS);
    }
}
