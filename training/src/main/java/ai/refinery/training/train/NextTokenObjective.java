package ai.refinery.training.train;

import ai.refinery.training.model.GptModel;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

/**
 * Next-token prediction: every position predicts the following token. Pretraining trains on every target;
 * examples with a loss mask (supervised fine-tuning: responses only) train on the masked-in targets only.
 */
public final class NextTokenObjective implements Objective {
    private static final long serialVersionUID = 1L;

    @Override
    public String name() {
        return "next_token";
    }

    @Override
    public DataSet minibatch(List<TrainingExample> examples, int t, double weightPerTarget, DataType type) {
        int[][] windows = new int[examples.size()][];
        float[] weights = new float[examples.size() * t];
        for (int i = 0; i < windows.length; i++) {
            TrainingExample e = examples.get(i);
            windows[i] = e.tokens();
            byte[] mask = e.lossMask();
            for (int j = 0; j < t; j++) {
                weights[i * t + j] = mask == null || mask[j] != 0 ? (float) weightPerTarget : 0f;
            }
        }
        INDArray w = Nd4j.createFromArray(weights).reshape(windows.length, t).castTo(type);
        DataSet d = GptModel.dataSet(windows, t, type);
        d.setLabelsMaskArray(w);
        return d;
    }
}
