package ai.refinery.training.generate;

import ai.refinery.training.model.GptModel;
import ai.refinery.training.model.ModelSettings;
import ai.refinery.training.tokenizer.BpeTokenizer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;

import java.util.List;

/** A randomly initialised decoder over the byte-level tokenizer without merges: enough for the mechanics. */
public final class TinyModel {
    public static final int CONTEXT = 16;

    private TinyModel() {
    }

    public static BpeTokenizer tokenizer() {
        return BpeTokenizer.fromMerges(List.of());
    }

    public static ComputationGraph graph(long seed) {
        ModelSettings m = new ModelSettings(tokenizer().vocabSize(), CONTEXT, 16, 1, 2, 2, 0);
        return GptModel.build(m, GptModel.Optimization.none(), DataType.FLOAT, seed);
    }

    /** Adds {@code delta} to the output bias of one token, so that it becomes (un)likely everywhere. */
    public static void bias(ComputationGraph g, int token, double delta) {
        var b = g.getLayer(GptModel.OUTPUT).getParam("b");
        b.putScalar(token, b.getDouble(token) + delta);
    }
}
