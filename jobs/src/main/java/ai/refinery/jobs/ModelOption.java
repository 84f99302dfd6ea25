package ai.refinery.jobs;

import picocli.CommandLine.Option;

/** --model, shared by generate and serve (read by {@link ai.refinery.training.generate.LoadedModel}). */
public final class ModelOption {
    @InputPath
    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "A training run folder (its newest checkpoints/step-N/model.zip is used), a checkpoint folder, "
                    + "or an exported model folder (model.zip and tokenizer.json); any Hadoop FS URI. The tokenizer.json "
                    + "is looked up in the folder, its tokenizer/ child, or the run folder of a checkpoint.")
    String model;
}
