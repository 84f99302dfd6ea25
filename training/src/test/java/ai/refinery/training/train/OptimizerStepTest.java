package ai.refinery.training.train;

import ai.refinery.training.model.GptModel;
import ai.refinery.training.model.ModelSettings;
import com.typesafe.config.ConfigFactory;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One optimizer step against a hand computation of clipping, AdamW at a global iteration and weight decay. */
class OptimizerStepTest {
    private static final int T = 8;
    private static final int VOCAB = 40;

    static ModelSettings tinyModel() {
        return ModelSettings.from(ConfigFactory.parseString(
                "model { vocab_size = " + VOCAB + ", context_length = " + T + ", width = 16, layers = 1, heads = 2 }")
                .withFallback(ConfigFactory.parseFile(new File("../conf/refinery.conf"))).resolve());
    }

    static List<TrainingExample> examples(int n, long seed) {
        Random r = new Random(seed);
        List<TrainingExample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int[] w = new int[T + 1];
            for (int j = 0; j < w.length; j++) {
                w[j] = r.nextInt(VOCAB);
            }
            out.add(TrainingExample.of(w));
        }
        return out;
    }

    @Test
    void oneAdamWStepWithGlobalClippingAtALateIterationMatchesTheHandComputation() {
        double peak = 1e-2;
        double decay = 0.1;
        double clip = 0.05;
        double beta1 = 0.9;
        double beta2 = 0.95;
        double eps = 1e-8;
        int iteration = 6;
        WarmupCosineSchedule schedule = new WarmupCosineSchedule(peak, peak / 10, 3, 20);
        Adam adam = new Adam(schedule);
        adam.setBeta1(beta1);
        adam.setBeta2(beta2);
        adam.setEpsilon(eps);
        ModelSettings m = tinyModel();
        ComputationGraph trained = GptModel.build(m, new GptModel.Optimization(adam, decay), DataType.DOUBLE, 7);
        ComputationGraph probe = GptModel.build(m, GptModel.Optimization.none(), DataType.DOUBLE, 7);
        probe.setParams(trained.params().dup());
        List<TrainingExample> batch = examples(3, 1);
        DataSet d = new NextTokenObjective().minibatch(batch, T, 1.0 / (3 * T), DataType.DOUBLE);

        // The gradient of the mean loss per target, by the probe (no updater involved).
        probe.setInputs(d.getFeatures());
        probe.setLabels(d.getLabels());
        probe.setLayerMaskArrays(null, new INDArray[] {d.getLabelsMaskArray()});
        probe.computeGradientAndScore();
        INDArray g = probe.getFlattenedGradients().dup().reshape(probe.params().shape());
        double norm = g.norm2Number().doubleValue();
        assertTrue(norm > clip, "the test must exercise clipping: norm " + norm);
        g.muli(clip / norm);

        // AdamW from zero state at iteration 6 (t = 7): the schedule's rate at 6 and bias correction at t = 7.
        double lr = schedule.valueAt(iteration, 0);
        int t = iteration + 1;
        INDArray mom = g.mul(1 - beta1);
        INDArray vel = g.mul(g).muli(1 - beta2);
        double alpha = lr * Math.sqrt(1 - Math.pow(beta2, t)) / (1 - Math.pow(beta1, t));
        INDArray update = mom.div(Transforms.sqrt(vel, true).addi(eps)).muli(alpha);
        INDArray p0 = trained.params().dup();
        INDArray expected = p0.sub(update).subi(p0.mul(decayMask(trained)).muli(lr * decay));

        OptimizerStep.Outcome o = OptimizerStep.apply(trained, d, iteration, clip);

        assertEquals(norm, o.gradientNorm(), 1e-9 * norm);
        assertEquals(probe.score() * 3, o.weightedLoss(), 1e-9);
        double worst = trained.params().sub(expected).amaxNumber().doubleValue();
        assertTrue(worst < 1e-9, "parameters differ from the hand computation by " + worst);
        assertEquals(iteration + 1, trained.getConfiguration().getIterationCount());
        // Weight decay is large enough here to be seen: leaving it out would fail the comparison.
        double decayed = p0.mul(decayMask(trained)).muli(lr * decay).amaxNumber().doubleValue();
        assertTrue(decayed > 1e-6, "decay term " + decayed);
    }

    /**
     * 1 where DL4J's configuration puts weight decay on a parameter, 0 elsewhere, in the flat layout; each decayed
     * parameter has exactly one decay (the builder's own weightDecay put in two, decaying twice as fast).
     */
    static INDArray decayMask(ComputationGraph g) {
        ComputationGraph mask = g.clone();
        mask.params().assign(0);
        for (Layer layer : mask.getLayers()) {
            layer.paramTable().forEach((name, view) -> {
                int decays = layer.conf().getLayer().getRegularizationByParam(name).size();
                assertTrue(decays <= 1, layer.conf().getLayer().getLayerName() + " " + name + " decays " + decays + " times");
                if (decays == 1) {
                    view.assign(1);
                }
            });
        }
        INDArray out = mask.params().dup();
        assertTrue(out.sumNumber().doubleValue() > 0 && out.sumNumber().doubleValue() < out.length(),
                "some parameters are decayed and some are not");
        return out;
    }

    @Test
    void withoutClippingTheStepIsPlainAdamW() {
        ModelSettings m = tinyModel();
        Adam adam = new Adam(1e-3);
        ComputationGraph a = GptModel.build(m, new GptModel.Optimization(adam, 0), DataType.DOUBLE, 3);
        DataSet d = new NextTokenObjective().minibatch(examples(2, 5), T, 1.0 / (2 * T), DataType.DOUBLE);
        INDArray before = a.params().dup();
        OptimizerStep.apply(a, d, 0, 0);
        // First Adam step from zero state: every parameter with a gradient moves by ~lr (sign of its gradient).
        INDArray moved = Transforms.abs(a.params().sub(before));
        assertTrue(moved.maxNumber().doubleValue() < 1.01e-3, "no step is larger than the rate");
        assertTrue(moved.meanNumber().doubleValue() > 0.5e-3, "most parameters move by about the rate");
    }
}
