package ai.refinery.training.model;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.distribution.NormalDistribution;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.api.layers.IOutputLayer;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.impl.LossSparseMCXENT;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fused output layer against DL4J's RnnOutputLayer with the sparse cross-entropy, on the same parameters. */
class TokenSoftmaxOutputTest {
    private static final int MINIBATCH = 3;
    private static final int WIDTH = 6;
    private static final int LENGTH = 5;
    private static final int VOCAB = 9;

    private static ComputationGraph outputOnly(Layer output) {
        return outputOnly(output, 0);
    }

    private static ComputationGraph outputOnly(Layer output, double weightDecay) {
        ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder()
                .seed(3).dataType(DataType.DOUBLE).updater(new NoOp()).weightInit(new NormalDistribution(0, 0.5))
                .weightDecay(weightDecay, true)
                .trainingWorkspaceMode(WorkspaceMode.ENABLED).inferenceWorkspaceMode(WorkspaceMode.ENABLED)
                .graphBuilder().addInputs("in").addLayer("out", output, "in").setOutputs("out").build());
        g.init();
        return g;
    }

    private static DataSet data(long seed) {
        Random r = new Random(seed);
        INDArray labels = Nd4j.create(DataType.DOUBLE, MINIBATCH, 1, LENGTH);
        for (int i = 0; i < MINIBATCH; i++) {
            for (int t = 0; t < LENGTH; t++) {
                labels.putScalar(new long[] {i, 0, t}, r.nextInt(VOCAB));
            }
        }
        Nd4j.getRandom().setSeed(seed);
        return new DataSet(Nd4j.randn(DataType.DOUBLE, MINIBATCH, WIDTH, LENGTH), labels);
    }

    private static void assertClose(INDArray expected, INDArray actual, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + " shape");
        double diff = expected.sub(actual).amaxNumber().doubleValue();
        assertTrue(diff < 1e-10, what + " differs by " + diff);
    }

    @Test
    void matchesDl4jsOutputLayerInScoreGradientsAndProbabilities() {
        ComputationGraph reference = outputOnly(new RnnOutputLayer.Builder(new LossSparseMCXENT()).nIn(WIDTH).nOut(VOCAB)
                .activation(Activation.SOFTMAX).dataFormat(RNNFormat.NCW).build());
        ComputationGraph fused = outputOnly(new TokenSoftmaxOutput(WIDTH, VOCAB));
        assertEquals(reference.numParams(), fused.numParams());
        fused.setParams(reference.params().addi(Nd4j.randn(DataType.DOUBLE, reference.numParams()).muli(0.1)));
        reference.setParams(fused.params());
        DataSet d = data(1);

        assertClose(reference.outputSingle(d.getFeatures()), fused.outputSingle(d.getFeatures()), "probabilities");
        assertEquals(reference.score(d), fused.score(d), 1e-10);

        Pair<Gradient, INDArray> expected = backprop(reference, d);
        Pair<Gradient, INDArray> actual = backprop(fused, d);
        for (String param : new String[] {"W", "b"}) {
            assertClose(expected.getFirst().getGradientFor(param), actual.getFirst().getGradientFor(param), param);
        }
        assertClose(expected.getSecond(), actual.getSecond(), "input gradient");
    }

    private static Pair<Gradient, INDArray> backprop(ComputationGraph g, DataSet d) {
        g.initGradientsView();
        IOutputLayer out = (IOutputLayer) g.getLayer("out");
        LayerWorkspaceMgr noWorkspaces = LayerWorkspaceMgr.noWorkspaces();
        out.setInput(d.getFeatures(), noWorkspaces);
        out.setLabels(d.getLabels());
        out.setInputMiniBatchSize(MINIBATCH);
        Pair<Gradient, INDArray> result = out.backpropGradient(null, noWorkspaces);
        // Copies: the gradients are views of the layer's gradient array, reused by the next call.
        Gradient copy = new DefaultGradient();
        result.getFirst().gradientForVariable().forEach((k, v) -> copy.setGradientFor(k, v.dup()));
        return new Pair<>(copy, result.getSecond().dup());
    }

    @Test
    void theScoreIsTheCrossEntropyWithoutTheWeightDecayPenalty() {
        ComputationGraph g = outputOnly(new TokenSoftmaxOutput(WIDTH, VOCAB), 0.5);
        DataSet d = data(3);
        INDArray p = g.outputSingle(d.getFeatures());
        double sum = 0;
        for (int i = 0; i < MINIBATCH; i++) {
            for (int t = 0; t < LENGTH; t++) {
                sum -= Math.log(p.getDouble(i, d.getLabels().getInt(i, 0, t), t));
            }
        }
        assertTrue(g.calcRegularizationScore(false) > 1, "the graph has a weight-decay penalty to leave out");
        assertEquals(sum / MINIBATCH, g.score(d), 1e-10);
    }

    @Test
    void theTrainingScoreIsTheLossOfTheCurrentParameters() {
        ComputationGraph g = outputOnly(new TokenSoftmaxOutput(WIDTH, VOCAB));
        DataSet d = data(2);
        g.setInputs(d.getFeatures());
        g.setLabels(d.getLabels());
        g.computeGradientAndScore();
        double first = g.score();
        assertEquals(g.score(d), first, 1e-10);

        // Same input and label arrays, new parameters: the score of the backward pass must not be reused stale.
        // (Random: a constant added to every parameter shifts all logits of a position alike and changes nothing.)
        g.params().addi(Nd4j.randn(DataType.DOUBLE, g.numParams()));
        g.setInputs(d.getFeatures());
        g.setLabels(d.getLabels());
        g.computeGradientAndScore();
        assertNotEquals(first, g.score(), 1e-6);
        assertEquals(g.score(d), g.score(), 1e-10);
    }

    @Test
    void lossWeightsScaleEachPositionAndAZeroWeightGivesNeitherLossNorGradient() {
        ComputationGraph g = outputOnly(new TokenSoftmaxOutput(WIDTH, VOCAB));
        DataSet d = data(4);
        INDArray weights = Nd4j.create(DataType.DOUBLE, MINIBATCH, LENGTH);
        Random r = new Random(4);
        for (int i = 0; i < MINIBATCH; i++) {
            for (int t = 0; t < LENGTH; t++) {
                weights.putScalar(i, t, r.nextBoolean() ? 0 : 0.25 + r.nextInt(3));
            }
        }
        weights.putScalar(0, 0, 0);
        INDArray p = g.outputSingle(d.getFeatures());
        double expected = 0;
        for (int i = 0; i < MINIBATCH; i++) {
            for (int t = 0; t < LENGTH; t++) {
                expected -= weights.getDouble(i, t) * Math.log(p.getDouble(i, d.getLabels().getInt(i, 0, t), t));
            }
        }
        TokenSoftmaxOutputLayer out = (TokenSoftmaxOutputLayer) g.getLayer("out");
        out.setMaskArray(weights);
        Pair<Gradient, INDArray> masked = backprop(g, d);
        out.computeScore(0, true, LayerWorkspaceMgr.noWorkspaces());
        assertEquals(expected, out.lossSum(), 1e-10);
        out.setMaskArray(null);

        // Another label where the weight is 0 changes nothing.
        DataSet other = new DataSet(d.getFeatures(), d.getLabels().dup());
        other.getLabels().putScalar(new long[] {0, 0, 0}, (d.getLabels().getInt(0, 0, 0) + 1) % VOCAB);
        Pair<Gradient, INDArray> relabelled = backpropWeighted(g, other, weights);
        for (String param : new String[] {"W", "b"}) {
            assertClose(masked.getFirst().getGradientFor(param), relabelled.getFirst().getGradientFor(param), param);
        }
        assertClose(masked.getSecond(), relabelled.getSecond(), "input gradient");

        // Weights of 1 everywhere are the unweighted layer.
        Pair<Gradient, INDArray> ones = backpropWeighted(g, d, Nd4j.ones(DataType.DOUBLE, MINIBATCH, LENGTH));
        Pair<Gradient, INDArray> plain = backprop(g, d);
        assertClose(plain.getFirst().getGradientFor("W"), ones.getFirst().getGradientFor("W"), "W");
        assertClose(plain.getSecond(), ones.getSecond(), "input gradient");
    }

    private static Pair<Gradient, INDArray> backpropWeighted(ComputationGraph g, DataSet d, INDArray weights) {
        g.getLayer("out").setMaskArray(weights);
        try {
            return backprop(g, d);
        } finally {
            g.getLayer("out").setMaskArray(null);
        }
    }
}
