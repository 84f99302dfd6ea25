package ai.refinery.jobs;

import ai.refinery.core.stage.Stage;
import ai.refinery.training.analysis.KnowledgeStage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "knowledge", mixinStandardHelpOptions = true,
        description = {"Known-knowledge categories (SliCK): for each question, knowledge.prompt_sets few-shot prompts "
                + "(knowledge.shots exemplars drawn with knowledge.seed from other rows), one greedy and knowledge.samples "
                + "sampled answers (knowledge.temperature) per prompt, exact match (normalised) against the reference. "
                + "Input: instruction rows (id, messages: the first user turn is the question, the assistant turn after "
                + "it the answer) or question and answer columns. Writes data/ (id, question, answer, category, "
                + "greedy_correct, sampled_correct, greedy_right, sampled_right, greedy_answers), rejected/, stats.json "
                + "(rows per category), manifest.json and _SUCCESS."},
        footer = {"%nExamples:",
                "  refinery knowledge --model runs/small --input out/bios-qa --output out/knowledge"})
final class KnowledgeCommand extends OutputStageCommand {
    @Mixin
    ModelOption model;

    @Mixin
    InputOptions input;

    @Override
    Stage stage() {
        return new KnowledgeStage(model.model, input.inputs);
    }
}
