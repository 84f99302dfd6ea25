package ai.refinery.bench;

import ai.refinery.core.config.Settings;
import ai.refinery.core.spark.SparkSessions;
import ai.refinery.training.generate.LoadedModel;
import ai.refinery.training.model.GptModel;
import ai.refinery.training.model.ModelSettings;
import ai.refinery.training.pack.PackResult;
import ai.refinery.training.train.TrainSettings;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.typesafe.config.Config;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.learning.regularization.WeightDecay;

import java.io.File;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;

/**
 * Writes the initial parameters of the decoder that {@code refinery pretrain} builds for the same settings (same
 * model and train sections, same seed), for an independent implementation to start from (bench/reference/):
 * <ul>
 * <li>{@code params.bin}: every parameter, layer by layer in the graph's order, as little-endian float32 in
 * row-major ('c') order of its shape, whatever order DL4J stores it in;</li>
 * <li>{@code params.json}: for each parameter its name (layer_param), shape, offset (in floats), the order DL4J
 * stores it in, the weight decay DL4J applies to it and the layer's gradient normalization; the resolved model
 * and train settings; and, with a data folder, the mean cross-entropy per token of this model on the first
 * train.eval_windows validation windows (window_id order), which the other implementation must reproduce.</li>
 * </ul>
 * With {@code --model PATH} (a run, checkpoint or exported model folder, as {@code refinery sft --model} takes) the
 * parameters are that model's instead: the starting point of a fine-tuning run, for the reference to fine-tune
 * the same way (the check loss is then the run's own start_val_loss, so none is computed here).
 * Usage: ExportInitialParams [--conf FILE] [--set key=value ...] [--model PATH] OUT_DIR [PACKED_DATA_DIR]
 */
public final class ExportInitialParams {
    private ExportInitialParams() {
    }

    public static void main(String[] allArgs) throws Exception {
        File conf = null;
        String trained = null;
        List<String> overrides = new ArrayList<>();
        List<String> args = new ArrayList<>();
        for (int i = 0; i < allArgs.length; i++) {
            switch (allArgs[i]) {
                case "--conf" -> conf = new File(allArgs[++i]);
                case "--set" -> overrides.add(allArgs[++i]);
                case "--model" -> trained = allArgs[++i];
                default -> args.add(allArgs[i]);
            }
        }
        if (args.isEmpty() || args.size() > 2) {
            System.err.println("Usage: ExportInitialParams [--conf FILE] [--set key=value ...] [--model PATH] OUT_DIR"
                    + " [PACKED_DATA_DIR]");
            System.exit(2);
        }
        Config config = Settings.load(conf, overrides);
        ModelSettings model = ModelSettings.from(config);
        TrainSettings train = TrainSettings.from(config);
        ComputationGraph graph;
        if (trained != null) {
            graph = LoadedModel.read("--model", trained, new Configuration()).bundle().graph();
            model = GptModel.settingsOf(graph);
        } else {
            // Built exactly as Pretrainer builds a new run's graph.
            graph = GptModel.build(model, train.optimization(), DataType.FLOAT, train.seed());
            // The export stands for pretrain's initial model only if initialisation depends on the seed alone.
            Nd4j.getRandom().nextDouble();
            ComputationGraph again = GptModel.build(model, train.optimization(), DataType.FLOAT, train.seed());
            if (!graph.params().equals(again.params())) {
                throw new IllegalStateException("two graphs built with seed " + train.seed() + " differ");
            }
        }

        Path out = Path.of(args.get(0));
        Files.createDirectories(out);
        List<Map<String, Object>> index = new ArrayList<>();
        long offset = 0;
        try (OutputStream bin = Files.newOutputStream(out.resolve("params.bin"))) {
            for (Layer layer : graph.getLayers()) {
                org.deeplearning4j.nn.conf.layers.Layer lc = layer.conf().getLayer();
                for (Map.Entry<String, INDArray> p : layer.paramTable().entrySet()) {
                    INDArray v = p.getValue();
                    float[] values = Nd4j.toFlattened('c', v).toFloatVector();
                    ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                    buf.asFloatBuffer().put(values);
                    bin.write(buf.array());
                    Map<String, Object> e = new LinkedHashMap<>();
                    e.put("name", lc.getLayerName() + "_" + p.getKey());
                    e.put("layer", lc.getLayerName());
                    e.put("param", p.getKey());
                    e.put("shape", v.shape());
                    e.put("offset", offset);
                    e.put("dl4j_order", String.valueOf(v.ordering()));
                    // As DL4J applies them, one after another: a list, so that a repeated entry shows.
                    e.put("weight_decay", weightDecays(lc.getRegularizationByParam(p.getKey())));
                    e.put("gradient_normalization", String.valueOf(lc.getGradientNormalization()));
                    index.add(e);
                    offset += values.length;
                }
            }
        }
        if (offset != graph.numParams()) {
            throw new IllegalStateException("exported " + offset + " of " + graph.numParams() + " parameters");
        }

        Map<String, Object> json = new LinkedHashMap<>();
        json.put("data_order", "c");
        json.put("dtype", "float32");
        json.put("num_params", offset);
        json.put("model", model.toConfig().root().unwrapped());
        json.put("train", config.getConfig("train").root().unwrapped());
        json.put("params", index);
        if (args.size() == 2 && trained == null) {
            json.put("check", initialLoss(config, graph, model, train, args.get(1)));
        }
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.resolve("params.json").toFile(), json);
        System.out.printf("exported %d parameters (%d arrays) to %s%s%n", offset, index.size(), out,
                json.containsKey("check") ? ", initial validation loss " + ((Map<?, ?>) json.get("check")).get("loss_per_token") : "");
    }

    /** The decoupled weight decay coefficients DL4J applies to a parameter (none: empty). */
    private static List<Double> weightDecays(List<Regularization> regularizations) {
        List<Double> decays = new ArrayList<>();
        for (Regularization r : regularizations == null ? List.<Regularization>of() : regularizations) {
            if (!(r instanceof WeightDecay w) || !w.isApplyLR()) {
                throw new IllegalStateException("unexpected regularization " + r);
            }
            decays.add(w.getCoeff().valueAt(0, 0));
        }
        return decays;
    }

    /** Loss per token of the graph on the validation windows pretrain evaluates on (the first eval_windows). */
    private static Map<String, Object> initialLoss(Config config, ComputationGraph graph, ModelSettings model,
                                                   TrainSettings train, String dataDir) {
        SparkSession spark = SparkSessions.create("export-initial-params", config);
        try {
            Path data = Path.of(dataDir);
            String windowsDir = Files.isDirectory(data.resolve("data")) ? data.resolve("data").toString() : dataDir;
            List<Row> rows = spark.read().parquet(windowsDir).where(col("split").equalTo(PackResult.VALIDATION))
                    .orderBy("window_id").limit(train.evalWindows()).select("tokens").collectAsList();
            int[][] windows = new int[rows.size()][];
            for (int i = 0; i < windows.length; i++) {
                List<Integer> tokens = rows.get(i).getList(0);
                windows[i] = tokens.stream().mapToInt(Integer::intValue).toArray();
            }
            double loss = GptModel.lossPerToken(graph, GptModel.dataSet(windows, model.contextLength(), DataType.FLOAT));
            Map<String, Object> check = new LinkedHashMap<>();
            check.put("split", PackResult.VALIDATION);
            check.put("windows", windows.length);
            check.put("loss_per_token", loss);
            return check;
        } finally {
            spark.stop();
        }
    }
}
