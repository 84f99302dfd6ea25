package ai.refinery.training.model;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GptModelTest {
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

    private static int[][] randomWindows(int n, int t, int vocab, long seed) {
        Random r = new Random(seed);
        int[][] w = new int[n][t + 1];
        for (int[] row : w) {
            for (int j = 0; j < row.length; j++) {
                row[j] = r.nextInt(vocab);
            }
        }
        return w;
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        // Two blocks, two heads of size 4, MLP ratio 2: every parameter of every layer is checked.
        ModelSettings m = new ModelSettings(11, 5, 8, 2, 2, 2, 0);
        ComputationGraph g = GptModel.build(m, GptModel.Optimization.none(), DataType.DOUBLE, 7);
        DataSet d = GptModel.dataSet(randomWindows(3, 5, 11, 1), 5, DataType.DOUBLE);
        boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(g)
                .inputs(new INDArray[] {d.getFeatures()}).labels(new INDArray[] {d.getLabels()})
                .epsilon(1e-6).maxRelError(1e-3).minAbsoluteError(1e-8)
                .subset(true).maxPerParam(6)
                .print(GradientCheckUtil.PrintMode.FAILURES_ONLY).exitOnFirstError(false));
        assertTrue(ok, "gradient check failed (see the test output)");
    }

    @Test
    void aBlocksBackwardPassGivesTheSameGradientsWithKeptOrRecomputedIntermediates() {
        ModelSettings m = new ModelSettings(11, 6, 8, 1, 2, 2, 0);
        ComputationGraph g = GptModel.build(m, GptModel.Optimization.none(), DataType.DOUBLE, 5);
        g.initGradientsView();
        Layer block = g.getLayer("block_0");
        LayerWorkspaceMgr noWorkspaces = LayerWorkspaceMgr.noWorkspaces();
        Nd4j.getRandom().setSeed(9);
        INDArray x = Nd4j.randn(DataType.DOUBLE, 2, 8, 6);
        INDArray outputGradient = Nd4j.randn(DataType.DOUBLE, 2, 8, 6);

        block.activate(x, true, noWorkspaces); // keeps its intermediates for the backward pass
        Pair<Gradient, INDArray> kept = block.backpropGradient(outputGradient, noWorkspaces);
        INDArray keptParams = block.getGradientsViewArray().dup();
        INDArray keptInput = kept.getSecond().dup();

        block.activate(x.dup(), false, noWorkspaces); // inference: keeps nothing, the backward pass recomputes
        Pair<Gradient, INDArray> recomputed = block.backpropGradient(outputGradient, noWorkspaces);
        assertEquals(0.0, keptParams.sub(block.getGradientsViewArray()).amaxNumber().doubleValue(), 1e-12);
        assertEquals(0.0, keptInput.sub(recomputed.getSecond()).amaxNumber().doubleValue(), 1e-12);
        assertTrue(keptParams.amaxNumber().doubleValue() > 0, "the gradients are not all zero");
    }

    @Test
    void parameterCountMatchesTheSettings() {
        ModelSettings m = new ModelSettings(50, 16, 32, 3, 4, 4, 0.1);
        ComputationGraph g = GptModel.build(m, GptModel.Optimization.none(), DataType.FLOAT, 1);
        assertEquals(m.parameterCount(), g.numParams());
        // 50*32 + 16*32 + 3*(4*32 + 4*(32*32+32) + 32*128+128 + 128*32+32) + 2*32 + 32*50+50
        assertEquals(1600 + 512 + 3 * (128 + 4224 + 4224 + 4128) + 64 + 1650, g.numParams());
    }

    @Test
    void laterTokensNeverChangeEarlierOutputs() {
        int t = 8;
        ModelSettings m = new ModelSettings(20, t, 16, 2, 4, 2, 0);
        ComputationGraph g = GptModel.build(m, GptModel.Optimization.none(), DataType.DOUBLE, 3);
        int[][] base = randomWindows(1, t, 20, 5);
        INDArray before = g.outputSingle(GptModel.features(base, t, DataType.DOUBLE));
        for (int changeAt = 0; changeAt < t; changeAt++) {
            int[][] changed = {base[0].clone()};
            changed[0][changeAt] = (changed[0][changeAt] + 7) % 20;
            INDArray after = g.outputSingle(GptModel.features(changed, t, DataType.DOUBLE));
            for (int pos = 0; pos < t; pos++) {
                INDArray a = before.get(NDArrayIndex.point(0), NDArrayIndex.all(), NDArrayIndex.point(pos));
                INDArray b = after.get(NDArrayIndex.point(0), NDArrayIndex.all(), NDArrayIndex.point(pos));
                double diff = a.sub(b).amaxNumber().doubleValue();
                if (pos < changeAt) {
                    assertEquals(0.0, diff, 1e-12, "output at " + pos + " changed with the token at " + changeAt);
                } else {
                    // The changed token and every later position do see it.
                    assertTrue(diff > 1e-9, "output at " + pos + " ignores the token at " + changeAt);
                }
            }
        }
    }

    @Test
    void initialLossIsNearUniformAndTheModelSurvivesSerialization() throws Exception {
        ModelSettings m = new ModelSettings(64, 8, 16, 1, 2, 4, 0);
        ComputationGraph g = GptModel.build(m, GptModel.Optimization.none(), DataType.DOUBLE, 11);
        DataSet d = GptModel.dataSet(randomWindows(4, 8, 64, 2), 8, DataType.DOUBLE);
        double loss = GptModel.lossPerToken(g, d);
        // Small initial weights give near-uniform predictions: ln(64) = 4.159 nats per token.
        assertEquals(Math.log(64), loss, 0.05);

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ModelSerializer.writeModel(g, bytes, true);
        ComputationGraph back = ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(bytes.toByteArray()), true);
        assertEquals(g.getConfiguration().toJson(), back.getConfiguration().toJson());
        assertEquals(loss, GptModel.lossPerToken(back, d), 1e-12);
        assertFalse(back.params().isNaN().any());
    }
}
