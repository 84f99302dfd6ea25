package ai.refinery.jobs;

import ai.refinery.rephrasing.model.Guards;
import ai.refinery.rephrasing.model.ModelRephraseSettings;
import ai.refinery.rephrasing.model.OpenAiCompletionsClient;
import ai.refinery.rephrasing.model.TextGenerator;
import ai.refinery.training.generate.ModelBundle;
import ai.refinery.training.decode.SamplingSettings;
import ai.refinery.training.model.GptModel;
import ai.refinery.training.model.ModelSettings;
import ai.refinery.training.serve.CompletionServer;
import ai.refinery.training.serve.ServeSettings;
import ai.refinery.training.tokenizer.BpeTokenizer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Requests per second of the HTTP generator against our own server, by client concurrency (1, 2, 4, 8, 16), with a
 * small random model (vocabulary 262, context 64, width 64, 2 blocks), 16 generated tokens per request, one
 * prompt per request. Skipped unless -Drefinery.bench=true:
 * mvn -B -q -pl data-pipeline,dedup,rephrasing,training,jobs test -Dtest=ServeBenchmark -Drefinery.bench=true
 * -Dsurefire.failIfNoSpecifiedTests=false (figures in jobs/target/surefire-reports/ai.refinery.jobs.ServeBenchmark-output.txt).
 */
class ServeBenchmark {
    @Test
    void requestsPerSecondByConcurrency() throws Exception {
        assumeTrue(Boolean.getBoolean("refinery.bench"), "benchmark: run with -Drefinery.bench=true");
        int requests = Integer.getInteger("refinery.bench.requests", 64);
        int serverThreads = Integer.getInteger("refinery.bench.server_threads", 1);
        int maxBatch = Integer.getInteger("refinery.bench.max_batch", 16);
        BpeTokenizer tok = BpeTokenizer.fromMerges(List.of());
        var graph = GptModel.build(new ModelSettings(tok.vocabSize(), 64, 64, 2, 4, 4, 0), GptModel.Optimization.none(),
                DataType.FLOAT, 1);
        ModelBundle bundle = new ModelBundle(graph, tok, "bench");
        try (CompletionServer server = CompletionServer.start(bundle,
                new ServeSettings("127.0.0.1", 0, serverThreads, maxBatch, 64, 1 << 20, 64, 16, ""),
                new SamplingSettings(16, 0.8, 0, 0.95, 1, List.of()))) {
            System.out.printf("cores=%d server_threads=%d max_batch=%d requests=%d max_tokens=16%n",
                    Runtime.getRuntime().availableProcessors(), serverThreads, maxBatch, requests);
            run(server, 1, 8); // warm-up
            for (int c : new int[] {1, 2, 4, 8, 16}) {
                long t0 = System.nanoTime();
                run(server, c, requests);
                double s = (System.nanoTime() - t0) / 1e9;
                System.out.printf("concurrency=%d requests_per_s=%.1f%n", c, requests / s);
            }
        }
    }

    private static void run(CompletionServer server, int concurrency, int requests) throws Exception {
        Map<String, String> t = new LinkedHashMap<>();
        t.put("x", "{text}");
        ModelRephraseSettings s = new ModelRephraseSettings(server.baseUri().toString(), "bench", "", t, 1000, 16, 0.8,
                0.95, 1, 60, 3, 50, 1000, concurrency, 1, Guards.basic(0, 1, 1, 2));
        OpenAiCompletionsClient client = new OpenAiCompletionsClient(s);
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        try {
            List<CompletableFuture<TextGenerator.Generated>> all = new ArrayList<>();
            for (int i = 0; i < requests; i++) {
                String prompt = "Request number " + i + " says:";
                all.add(CompletableFuture.supplyAsync(() -> client.generate(List.of(prompt)).get(0), pool));
            }
            for (CompletableFuture<TextGenerator.Generated> f : all) {
                TextGenerator.Generated g = f.join();
                if (g.failed()) {
                    throw new IllegalStateException(g.error());
                }
            }
        } finally {
            pool.shutdown();
        }
    }
}
