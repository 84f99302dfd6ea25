package ai.refinery.jobs;

import ai.refinery.core.stage.Stage;
import ai.refinery.training.serve.ServeStage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serves a trained model over HTTP with the OpenAI completions and chat APIs: POST /v1/completions "
                + "(model, prompt as a string or a list, max_tokens, min_tokens, temperature, top_p, top_k, min_p, "
                + "repetition_penalty, frequency_penalty, presence_penalty, logit_bias, logprobs, rules, n = 1, stop, "
                + "seed), POST /v1/chat/completions (messages formatted with the chat template, the same sampling "
                + "fields, logprobs and top_logprobs; the answer ends at <|end|>) and GET /v1/models. Binds to loopback (127.0.0.1) unless --host says otherwise. Runs until "
                + "stopped (Ctrl-C). No Spark.",
                "Settings: the serve section (threads, max_batch, max_queue, max_request_bytes, max_tokens_limit, "
                        + "max_prompts, model_id) and the generate section for what a request leaves out."},
        footer = {"%nExample:", "  refinery serve --model runs/tiny --port 8080",
                "  curl -s localhost:8080/v1/completions -H 'Content-Type: application/json' "
                        + "-d '{\"model\": \"tiny\", \"prompt\": \"Once upon a time\", \"max_tokens\": 32}'",
                "  curl -s localhost:8080/v1/chat/completions -H 'Content-Type: application/json' "
                        + "-d '{\"model\": \"tiny\", \"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]}'"})
final class ServeCommand extends StageCommand {
    @Mixin
    ModelOption model;

    @Option(names = "--port", paramLabel = "PORT", description = "TCP port (default: serve.port; 0 picks a free one).")
    Integer port;

    @Option(names = "--host", paramLabel = "ADDRESS", description = "Address to bind (default: serve.host, 127.0.0.1).")
    String host;

    @Option(names = "--model-id", paramLabel = "NAME", description = "The model's name in the API (default: serve.model_id, else the folder's name).")
    String modelId;

    @Override
    Stage stage() {
        return new ServeStage(model.model, port, host, modelId);
    }
}
