package ai.refinery.training.train;

import ai.refinery.training.model.GptModel;
import ai.refinery.training.model.ModelSettings;
import ai.refinery.training.model.PackedPositions;
import ai.refinery.training.pack.PackedSftWindow;
import ai.refinery.training.pack.SftWindow;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Several conversations in one window, through the real model: each conversation's per-token losses are those it
 * has alone in a padded window (block-diagonal attention and restarted positions), a change in one leaves its
 * neighbours' losses alone, the gradients are the padded windows' gradients summed, and the attention's backward
 * pass with the block mask matches finite differences.
 */
class PackedConversationsTest {
    private static final int T = 16;
    private static final int VOCAB = 23;
    private static final int PAD = 0;
    /** Three conversations of 5, 7 and 3 tokens: 15 of the window's 17, then 2 padding. */
    private static final int[] LENGTHS = {5, 7, 3};
    private static DataType savedType;

    @BeforeAll
    static void doublePrecision() {
        savedType = Nd4j.dataType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @AfterAll
    static void restore() {
        Nd4j.setDefaultDataTypes(savedType, savedType);
    }

    /** A model whose predictions depend clearly on the context: parameters drawn far from the near-uniform init. */
    private static ComputationGraph model(DataType type, long seed) {
        ModelSettings m = new ModelSettings(VOCAB, T, 16, 2, 2, 2, 0);
        ComputationGraph g = GptModel.build(m, GptModel.Optimization.none(), type, seed);
        Nd4j.getRandom().setSeed(seed);
        g.setParams(Nd4j.randn(type, g.params().shape()).muli(0.3));
        return g;
    }

    /** Conversations of the given lengths, random tokens (not the padding id); targets: the second half of each. */
    private static List<SftWindow.Fit> conversations(int[] lengths, long seed) {
        Random r = new Random(seed);
        List<SftWindow.Fit> out = new ArrayList<>();
        for (int n : lengths) {
            int[] tokens = new int[n];
            byte[] targets = new byte[n];
            for (int j = 0; j < n; j++) {
                tokens[j] = 1 + r.nextInt(VOCAB - 1);
                targets[j] = (byte) (j >= n / 2 ? 1 : 0);
            }
            out.add(new SftWindow.Fit(SftWindow.Status.FITS, tokens, targets));
        }
        return out;
    }

    private static TrainingExample example(PackedSftWindow w) {
        byte[] mask = new byte[T];
        for (int i = 0; i < T; i++) {
            mask[i] = (byte) w.lossMask()[i];
        }
        return new TrainingExample(w.tokens(), mask, TrainingExample.positions(w.segment(), T));
    }

    /** Loss of every target of every example [n][T] (nats), by the graph's forward pass with the examples' positions. */
    private static double[][] tokenLosses(ComputationGraph g, List<TrainingExample> examples) {
        DataType type = g.getConfiguration().getDataType();
        int[][] windows = examples.stream().map(TrainingExample::tokens).toArray(int[][]::new);
        INDArray p = GptModel.output(g, GptModel.features(windows, T, type),
                new NextTokenObjective().positions(examples, T));
        double[][] out = new double[windows.length][T];
        for (int i = 0; i < windows.length; i++) {
            for (int j = 0; j < T; j++) {
                out[i][j] = -Math.log(p.getDouble(i, windows[i][j + 1], j));
            }
        }
        return out;
    }

    @Test
    void segmentsBecomePositionsThatRestartPerConversationAndPaddingCountsOn() {
        PackedSftWindow w = PackedSftWindow.of(conversations(LENGTHS, 1), T, PAD);
        assertArrayEquals(new int[] {0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, -1, -1}, w.segment());
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 5, 6, 0, 1, 2, 3}, TrainingExample.positions(w.segment(), T));
        // The last token of a conversation never has the next conversation's first token as a target.
        assertEquals(0, w.lossMask()[4]);
        assertEquals(0, w.lossMask()[11]);
        PackedSftWindow alone = PackedSftWindow.of(conversations(new int[] {9}, 1), T, PAD);
        assertNull(TrainingExample.positions(alone.segment(), T), "one conversation: the plain model");
        assertThrows(IllegalArgumentException.class, () -> PackedPositions.of(new int[][] {{0, 1, 3}}));
        assertThrows(IllegalArgumentException.class, () -> PackedPositions.of(new int[][] {{1, 2, 3}}));
    }

    @Test
    void changingOnePackedConversationLeavesItsNeighboursLossesUnchanged() {
        ComputationGraph g = model(DataType.DOUBLE, 3);
        List<SftWindow.Fit> base = conversations(LENGTHS, 2);
        PackedSftWindow before = PackedSftWindow.of(base, T, PAD);
        for (int k = 0; k < LENGTHS.length; k++) {
            List<SftWindow.Fit> changed = new ArrayList<>(base);
            int[] tokens = base.get(k).tokens().clone();
            for (int j = 0; j < tokens.length; j++) {
                tokens[j] = 1 + (tokens[j] + 5) % (VOCAB - 1);
            }
            changed.set(k, new SftWindow.Fit(SftWindow.Status.FITS, tokens, base.get(k).targets()));
            PackedSftWindow after = PackedSftWindow.of(changed, T, PAD);
            double[] a = tokenLosses(g, List.of(example(before)))[0];
            double[] b = tokenLosses(g, List.of(example(after)))[0];
            for (int i = 0; i + 1 < before.length(); i++) {
                int segment = before.segment()[i];
                if (segment != before.segment()[i + 1]) {
                    continue; // predicts the next conversation's first token: never a target
                }
                if (segment == k) {
                    assertTrue(Math.abs(a[i] - b[i]) > 1e-6, "conversation " + k + " changed, its loss at " + i
                            + " did not: " + a[i]);
                } else {
                    assertEquals(a[i], b[i], 1e-6, "conversation " + segment + " at " + i + " saw conversation " + k);
                }
            }
        }
    }

    @Test
    void aPackedConversationsLossesAreItsLossesAloneInAPaddedWindow() {
        ComputationGraph g = model(DataType.FLOAT, 4);
        List<SftWindow.Fit> fits = conversations(LENGTHS, 5);
        PackedSftWindow packed = PackedSftWindow.of(fits, T, PAD);
        List<TrainingExample> padded = new ArrayList<>();
        for (SftWindow.Fit f : fits) {
            TrainingExample e = example(PackedSftWindow.of(List.of(f), T, PAD));
            assertNull(e.positions());
            padded.add(e);
        }
        double[] together = tokenLosses(g, List.of(example(packed)))[0];
        double[][] alone = tokenLosses(g, padded); // the plain model: no positions at all
        int offset = 0;
        for (int c = 0; c < fits.size(); c++) {
            for (int j = 0; j + 1 < LENGTHS[c]; j++) {
                assertEquals(alone[c][j], together[offset + j], 1e-5, "conversation " + c + " token " + j);
            }
            offset += LENGTHS[c];
        }
        // The validation figures agree too: same targets, same loss sum.
        NextTokenObjective objective = new NextTokenObjective();
        Objective.Evaluation p = objective.evaluate(g, List.of(example(packed)), T);
        Objective.Evaluation s = objective.evaluate(g, padded, T);
        assertEquals(s.targets(), p.targets());
        assertEquals(s.lossSum(), p.lossSum(), 1e-4);
        assertEquals(s.correct(), p.correct());
    }

    @Test
    void oneSequenceWithExplicitPositionsIsThePlainModelExactly() {
        ComputationGraph g = model(DataType.FLOAT, 6);
        int[] window = PackedSftWindow.of(conversations(new int[] {T + 1}, 7), T, PAD).tokens();
        int[] plain = new int[T];
        for (int j = 0; j < T; j++) {
            plain[j] = j;
        }
        INDArray f = GptModel.features(new int[][] {window}, T, DataType.FLOAT);
        INDArray without = GptModel.output(g, f, null);
        INDArray with = GptModel.output(g, f, PackedPositions.of(new int[][] {plain}));
        assertEquals(0.0, without.sub(with).amaxNumber().doubleValue(), 0.0);
        assertEquals(0.0, without.sub(g.outputSingle(false, f)).amaxNumber().doubleValue(), 0.0,
                "positions do not stay behind after a pass");
    }

    @Test
    void aPackedWindowsGradientIsTheSumOfItsConversationsGradientsAlone() {
        ComputationGraph g = model(DataType.DOUBLE, 8);
        List<SftWindow.Fit> fits = conversations(LENGTHS, 9);
        List<TrainingExample> packed = List.of(example(PackedSftWindow.of(fits, T, PAD)));
        List<TrainingExample> padded = new ArrayList<>();
        for (SftWindow.Fit f : fits) {
            padded.add(example(PackedSftWindow.of(List.of(f), T, PAD)));
        }
        INDArray together = gradient(g, packed);
        INDArray alone = gradient(g, padded);
        assertTrue(alone.norm2Number().doubleValue() > 1e-3);
        assertEquals(0.0, together.sub(alone).amaxNumber().doubleValue(), 1e-10);
    }

    /** The flattened gradient of the examples' loss (every target weighing 1), summed over the minibatch. */
    private static INDArray gradient(ComputationGraph g, List<TrainingExample> examples) {
        NextTokenObjective objective = new NextTokenObjective();
        DataSet d = objective.minibatch(examples, T, 1.0, DataType.DOUBLE);
        GptModel.setPositions(g, objective.positions(examples, T));
        try {
            g.setInputs(d.getFeatures());
            g.setLabels(d.getLabels());
            g.setLayerMaskArrays(null, new INDArray[] {d.getLabelsMaskArray()});
            g.computeGradientAndScore();
            return g.getFlattenedGradients().dup();
        } finally {
            GptModel.setPositions(g, null);
            g.clearLayerMaskArrays();
            g.clear();
        }
    }

    @Test
    void gradientsWithTheBlockMaskMatchFiniteDifferences() {
        ModelSettings m = new ModelSettings(11, 7, 8, 2, 2, 2, 0);
        ComputationGraph g = GptModel.build(m, GptModel.Optimization.none(), DataType.DOUBLE, 7);
        Random r = new Random(3);
        int[][] windows = new int[2][8];
        for (int[] w : windows) {
            for (int j = 0; j < w.length; j++) {
                w[j] = r.nextInt(11);
            }
        }
        DataSet d = GptModel.dataSet(windows, 7, DataType.DOUBLE);
        // Two conversations (3 + 4) in the first window, three (2 + 2 + 3) in the second.
        GptModel.setPositions(g, PackedPositions.of(new int[][] {{0, 1, 2, 0, 1, 2, 3}, {0, 1, 0, 1, 0, 1, 2}}));
        try {
            boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(g)
                    .inputs(new INDArray[] {d.getFeatures()}).labels(new INDArray[] {d.getLabels()})
                    .epsilon(1e-6).maxRelError(1e-3).minAbsoluteError(1e-8)
                    .subset(true).maxPerParam(6)
                    .print(GradientCheckUtil.PrintMode.FAILURES_ONLY).exitOnFirstError(false));
            assertTrue(ok, "gradient check failed (see the test output)");
        } finally {
            GptModel.setPositions(g, null);
        }
    }
}
