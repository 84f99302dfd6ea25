package ai.refinery.training.serve;

import ai.refinery.core.config.ConfigError;
import ai.refinery.core.outcome.Counts;
import ai.refinery.core.stage.Stage;
import ai.refinery.core.stage.StageContext;
import ai.refinery.core.stage.StageResult;
import ai.refinery.training.decode.RuleSet;
import ai.refinery.training.decode.SamplingSettings;
import ai.refinery.training.generate.LoadedModel;
import ai.refinery.training.generate.ModelBundle;
import com.typesafe.config.Config;

import java.io.IOException;
import java.net.InetAddress;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/** The serve stage: a {@link CompletionServer} for a model folder, until the process is stopped. No Spark, no output. */
public final class ServeStage implements Stage {
    private final String model;
    private final Integer port;
    private final String host;
    private final String modelId;

    /** @param port, host, modelId command-line overrides of the serve settings, or null */
    public ServeStage(String model, Integer port, String host, String modelId) {
        this.model = model;
        this.port = port;
        this.host = host;
        this.modelId = modelId;
    }

    @Override
    public void check(Config config) {
        settings(config);
        SamplingSettings.from(config);
    }

    private ServeSettings settings(Config config) {
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
        return settings;
    }

    @Override
    public Kind kind() {
        return Kind.NONE;
    }

    @Override
    public boolean usesSpark() {
        return false;
    }

    @Override
    public StageResult run(StageContext context) throws Exception {
        ServeSettings settings = settings(context.config());
        SamplingSettings defaults = SamplingSettings.from(context.config());
        ModelBundle bundle = LoadedModel.read("--model", model, context.hadoop()).bundle();
        CompletionServer server;
        try {
            server = CompletionServer.start(bundle, settings, defaults, RuleSet.from(context.config()));
        } catch (IOException e) {
            throw new ConfigError("cannot listen on " + settings.host() + ":" + settings.port() + ": " + e.getMessage(), e);
        }
        if (!InetAddress.getByName(settings.host()).isLoopbackAddress()) {
            System.err.println("serve: listening on " + settings.host() + ", reachable from other machines; the server has no authentication");
        }
        System.out.println("serve: model '" + server.modelId() + "' (context " + bundle.contextLength() + " tokens) at "
                + server.baseUri() + "/v1/completions and /v1/chat/completions");
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
        return StageResult.of(Counts.of(0, 0), Map.of(), null);
    }
}
