package ai.refinery.jobs;

import ai.refinery.core.stage.Stage;
import ai.refinery.training.train.PretrainStage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

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
final class PretrainCommand extends TrainCommand {
    @InputPath
    @Option(names = "--data", required = true, paramLabel = "DIR",
            description = "Packed windows: the output folder of 'refinery tokenize' (or its data/ folder).")
    String data;

    @Override
    Stage stage() {
        return new PretrainStage(data, configOptions.userSettings());
    }
}
