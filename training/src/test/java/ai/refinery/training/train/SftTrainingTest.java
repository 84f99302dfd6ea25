package ai.refinery.training.train;

import ai.refinery.core.sft.Message;
import ai.refinery.core.sft.SftSettings;
import ai.refinery.training.Conversations;
import ai.refinery.training.SparkTestSession;
import ai.refinery.training.model.GptModel;
import ai.refinery.training.model.ModelSettings;
import ai.refinery.training.pack.PackSettings;
import ai.refinery.training.pack.SftPackResult;
import ai.refinery.training.pack.SftPacker;
import ai.refinery.training.tokenizer.BpeTokenizer;
import ai.refinery.training.tokenizer.ChatTemplate;
import ai.refinery.training.tokenizer.SpecialTokens;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fine-tuning end to end: conversations packed with a loss mask train a tiny model through the training loop.
 * The masked loss falls, and the answers (the targets) are learned far more than the prompts, which the mask
 * leaves out of the gradient.
 */
class SftTrainingTest {
    private static final int STEPS = 20;

    /** Mean cross-entropy (nats) of the graph on the targets whose mask equals maskValue, padding apart. */
    private static double loss(ComputationGraph g, List<Row> windows, int t, int maskValue) {
        int[][] inputs = new int[windows.size()][];
        int[][] tokens = new int[windows.size()][];
        int[][] masks = new int[windows.size()][];
        for (int i = 0; i < windows.size(); i++) {
            tokens[i] = windows.get(i).<Integer>getList(windows.get(i).fieldIndex("tokens")).stream()
                    .mapToInt(Integer::intValue).toArray();
            masks[i] = windows.get(i).<Integer>getList(windows.get(i).fieldIndex("loss_mask")).stream()
                    .mapToInt(Integer::intValue).toArray();
            inputs[i] = java.util.Arrays.copyOf(tokens[i], t);
        }
        INDArray p = GptModel.probabilities(g, inputs, t, SpecialTokens.PAD_ID);
        double sum = 0;
        int n = 0;
        for (int i = 0; i < windows.size(); i++) {
            for (int j = 0; j < t; j++) {
                int target = tokens[i][j + 1];
                if (masks[i][j] == maskValue && target != SpecialTokens.PAD_ID) {
                    sum -= Math.log(Math.max(1e-30, p.getDouble(i, target, j)));
                    n++;
                }
            }
        }
        return sum / n;
    }

    @Test
    void maskedFineTuningLearnsTheAnswersNotThePrompts() {
        BpeTokenizer tok = Conversations.tokenizer();
        ChatTemplate template = new ChatTemplate(tok);
        int longest = 0;
        for (List<Message> c : Conversations.EXAMPLES) {
            longest = Math.max(longest, template.render(c, SftSettings.TrainOn.ALL_ASSISTANT_TURNS).tokens().length);
        }
        int t = longest; // every conversation fits in t + 1 tokens, and at least one is padded
        SftPackResult packed = SftPacker.run(SparkTestSession.get(), Conversations.rows(Conversations.EXAMPLES), tok,
                PackSettings.defaults().withContextLength(t).withValidationFraction(0),
                SftSettings.defaults().withPacking(SftSettings.Packing.PADDED));
        Dataset<Row> windows = packed.windows().cache();
        List<Row> rows = windows.collectAsList();
        packed.release();

        ModelSettings model = ModelSettings.from(TrainingData.conf()).withVocabSize(tok.vocabSize()).withContextLength(t);
        TrainSettings train = TrainSettings.from(TrainingData.conf("train { workers = 1, batch_size_per_worker = "
                + rows.size() + ", averaging_frequency = 5, max_steps = " + STEPS + ", learning_rate = 1e-2,"
                + " min_learning_rate = 1e-3, warmup_steps = 3, weight_decay = 0.0, eval_every = 10, eval_windows = 0,"
                + " checkpoint_every = 100, seed = 11 }"));
        ComputationGraph untrained = GptModel.build(model, GptModel.Optimization.none(), DataType.FLOAT, 11);
        double answersBefore = loss(untrained, rows, t, 1);
        double promptsBefore = loss(untrained, rows, t, 0);

        TrainResult r = TrainingLoop.onPackedWindows(SparkTestSession.get(), windows, model, train, null, STEPS);
        List<MetricRow> m = r.metrics();
        double answersAfter = loss(r.model(), rows, t, 1);
        double promptsAfter = loss(r.model(), rows, t, 0);
        System.err.printf("SFT: interval losses %s; answers %.3f -> %.3f, prompts %.3f -> %.3f%n",
                m.stream().map(MetricRow::loss).toList(), answersBefore, answersAfter, promptsBefore, promptsAfter);

        assertTrue(m.get(m.size() - 1).loss() < 0.7 * m.get(0).loss(), "the masked training loss falls");
        assertTrue(answersAfter < 0.5 * answersBefore, "the answers are learned");
        assertTrue(answersBefore - answersAfter > 2 * (promptsBefore - promptsAfter),
                "the answers' loss falls much more than the prompts'");
        windows.unpersist();
    }

    @Test
    void packedAndPaddedWindowsTrainTheSameModelWhenEveryStepSeesEveryConversation() {
        // Per-target loss weights and isolated conversations make a step's gradient the same whichever way the
        // conversations are packed, so full-batch training must give the same model.
        BpeTokenizer tok = Conversations.tokenizer();
        int t = 120;
        TrainResult[] results = new TrainResult[2];
        long[] windowCounts = new long[2];
        SftSettings.Packing[] forms = {SftSettings.Packing.PADDED, SftSettings.Packing.PACKED};
        ModelSettings model = ModelSettings.from(TrainingData.conf()).withVocabSize(tok.vocabSize()).withContextLength(t);
        for (int f = 0; f < 2; f++) {
            SftPackResult packed = SftPacker.run(SparkTestSession.get(), Conversations.rows(Conversations.EXAMPLES), tok,
                    PackSettings.defaults().withContextLength(t).withValidationFraction(0),
                    SftSettings.defaults().withPacking(forms[f]));
            Dataset<Row> windows = packed.windows().cache();
            windowCounts[f] = windows.count();
            packed.release();
            TrainSettings train = TrainSettings.from(TrainingData.conf("train { workers = 1, batch_size_per_worker = "
                    + windowCounts[f] + ", averaging_frequency = 3, max_steps = 3, learning_rate = 1e-2,"
                    + " min_learning_rate = 1e-3, warmup_steps = 1, weight_decay = 0.0, eval_every = 3,"
                    + " eval_windows = 0, checkpoint_every = 100, seed = 11 }"));
            results[f] = TrainingLoop.onPackedWindows(SparkTestSession.get(), windows, model, train, null, 3);
            windows.unpersist();
        }
        assertTrue(windowCounts[1] < windowCounts[0], windowCounts[1] + " packed windows, " + windowCounts[0] + " padded");
        double paddedLoss = results[0].metrics().get(0).loss();
        double packedLoss = results[1].metrics().get(0).loss();
        org.junit.jupiter.api.Assertions.assertEquals(paddedLoss, packedLoss, 1e-4, "the training loss");
        double diff = results[0].model().params().sub(results[1].model().params()).amaxNumber().doubleValue();
        double moved = results[0].model().params().sub(GptModel.build(model, GptModel.Optimization.none(),
                DataType.FLOAT, 11).params()).amaxNumber().doubleValue();
        assertTrue(moved > 1e-3, "training moved the parameters by " + moved);
        assertTrue(diff < 1e-4, "packed and padded training differ by " + diff);
    }
}
