package ai.refinery.jobs;

import ai.refinery.core.output.OutputPolicy;
import ai.refinery.core.stage.Stage;
import ai.refinery.training.train.PretrainStage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;

@Command(name = "pretrain", mixinStandardHelpOptions = true,
        description = {"Pretrains the GPT-style decoder on packed windows (the output of 'tokenize') with synchronous "
                + "parameter averaging on Spark (DL4J models and updaters): AdamW, warm-up then cosine learning rate, gradient clipping, validation "
                + "loss and perplexity every train.eval_every steps, checkpoints every train.checkpoint_every steps.",
                "The vocabulary size and context length come from the data (its tokenizer.json and windows) unless set.",
                "The run folder holds model.json (the model settings), tokenizer.json, checkpoints/step-N/ "
                        + "(model.zip with the optimizer state, state.json with step, tokens and data position), "
                        + "metrics/ (Parquet: step, tokens, loss, val_loss, lr, tokens_per_s) and manifest.json."},
        footer = {"%nExamples:",
                "  refinery pretrain --data out/packed --output runs/small --conf conf/model-small.conf",
                "  refinery pretrain --data out/packed --output runs/small --resume --set train.max_steps=4000"})
final class PretrainCommand extends StageCommand {
    @Option(names = "--data", required = true, paramLabel = "DIR",
            description = "Packed windows: the output folder of 'refinery tokenize' (or its data/ folder).")
    String data;

    @Option(names = "--output", required = true, paramLabel = "RUN_DIR", description = "The run folder (any Hadoop FS URI).")
    String output;

    @Option(names = "--resume", description = "Continue from the newest checkpoint in the run folder.")
    boolean resume;

    @Option(names = "--overwrite", description = "Delete an existing run folder and start over.")
    boolean overwrite;

    @Override
    List<String> impliedSettings() {
        return List.of("train.resume=" + resume);
    }

    @Override
    Stage stage() {
        return new PretrainStage(data, configOptions.userSettings());
    }

    @Override
    String output() {
        return output;
    }

    @Override
    OutputPolicy policy() {
        return OutputPolicy.of(overwrite, resume);
    }
}
