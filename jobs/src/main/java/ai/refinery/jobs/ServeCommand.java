package ai.refinery.jobs;

import ai.refinery.training.generate.ModelBundle;
import ai.refinery.training.decode.RuleSet;
import ai.refinery.training.decode.SamplingSettings;
import ai.refinery.training.serve.CompletionServer;
import ai.refinery.training.serve.ServeSettings;
import com.typesafe.config.Config;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serves a trained model over HTTP with the OpenAI completions API: POST /v1/completions "
                + "(model, prompt as a string or a list, max_tokens, min_tokens, temperature, top_p, top_k, min_p, "
                + "repetition_penalty, frequency_penalty, presence_penalty, logit_bias, logprobs, rules, n = 1, stop, "
                + "seed) and GET /v1/models. Binds to loopback (127.0.0.1) unless --host says otherwise. Runs until "
                + "stopped (Ctrl-C). No Spark.",
                "Settings: the serve section (threads, max_batch, max_queue, max_request_bytes, max_tokens_limit, "
                        + "max_prompts, model_id) and the generate section for what a request leaves out."},
        footer = {"%nExample:", "  refinery serve --model runs/tiny --port 8080",
                "  curl -s localhost:8080/v1/completions -H 'Content-Type: application/json' "
                        + "-d '{\"model\": \"tiny\", \"prompt\": \"Once upon a time\", \"max_tokens\": 32}'"})
final class ServeCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions configOptions;

    @Mixin
    ModelOption model;

    @Option(names = "--port", paramLabel = "PORT", description = "TCP port (default: serve.port; 0 picks a free one).")
    Integer port;

    @Option(names = "--host", paramLabel = "ADDRESS", description = "Address to bind (default: serve.host, 127.0.0.1).")
    String host;

    @Option(names = "--model-id", paramLabel = "NAME", description = "The model's name in the API (default: serve.model_id, else the folder's name).")
    String modelId;

    @Override
    public Integer call() throws Exception {
        Config config = configOptions.config(List.of());
        ServeSettings settings = ServeSettings.from(config);
        if (port != null) {
            settings = settings.withPort(port);
        }
        if (host != null) {
            settings = settings.withHost(host);
        }
        if (modelId != null) {
            settings = settings.withModelId(modelId);
        }
        SamplingSettings defaults = SamplingSettings.from(config);
        ModelBundle bundle = model.load(new Configuration());
        CompletionServer server;
        try {
            server = CompletionServer.start(bundle, settings, defaults, RuleSet.from(config));
        } catch (IOException e) {
            throw new ai.refinery.pipeline.config.ConfigError("cannot listen on " + settings.host() + ":" + settings.port()
                    + ": " + e.getMessage(), e);
        }
        if (!InetAddress.getByName(settings.host()).isLoopbackAddress()) {
            System.err.println("serve: listening on " + settings.host() + ", reachable from other machines; the server has no authentication");
        }
        System.out.println("serve: model '" + server.modelId() + "' (context " + bundle.contextLength() + " tokens) at "
                + server.baseUri() + "/v1/completions");
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stop.countDown();
        }));
        try {
            stop.await();
        } catch (InterruptedException e) {
            server.close();
            Thread.currentThread().interrupt();
        }
        return Refinery.EXIT_OK;
    }
}
