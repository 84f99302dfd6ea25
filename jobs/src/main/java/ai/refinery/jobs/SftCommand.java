package ai.refinery.jobs;

import ai.refinery.core.stage.Stage;
import ai.refinery.training.train.SftStage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "sft", mixinStandardHelpOptions = true,
        description = {"Supervised fine-tuning: trains a pretrained model further on packed instruction windows (the "
                + "output of 'tokenize' on rows with a messages column), the loss on the windows' loss mask only "
                + "(the assistant turns), through the same parameter-averaging loop as 'pretrain'.",
                "The model's shape, vocabulary and context length come from --model; data packed with another "
                        + "tokenizer or context length is refused (exit 2). Defaults of the sft.train section apply "
                        + "(learning rate 2e-4, no weight decay, 3 epochs, 3% warm-up); any train.* setting given "
                        + "wins over them. Response tuning: pack the data with sft.train_on=response_only.",
                "The run folder is a pretrain run folder: model.json (with base_model), tokenizer.json, "
                        + "tokenizer_config.json, checkpoints/, metrics/ (with val_loss and val_accuracy on the "
                        + "held-out conversations), stats.json (start_val_loss: the model before fine-tuning) and "
                        + "manifest.json."},
        footer = {"%nExamples:",
                "  refinery sft --model runs/small --data out/packed-qa --output runs/small-sft",
                "  refinery sft --model runs/small/checkpoints/step-000002000 --data out/packed-qa --output runs/sft "
                        + "--set sft.train.epochs=5",
                "  refinery sft --model runs/small --data out/packed-qa --output runs/small-sft --resume"})
final class SftCommand extends TrainCommand {
    @InputPath
    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "The model to start from: a pretrain (or sft) run folder (its newest checkpoint), a "
                    + "checkpoint folder, or an exported model folder (model.zip and tokenizer.json).")
    String model;

    @InputPath
    @Option(names = "--data", required = true, paramLabel = "DIR",
            description = "Packed instruction windows: the output folder of 'refinery tokenize' on instruction rows "
                    + "(or its data/ folder).")
    String data;

    @Override
    Stage stage() {
        return new SftStage(model, data, configOptions.userSettings());
    }
}
