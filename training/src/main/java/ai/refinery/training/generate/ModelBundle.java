package ai.refinery.training.generate;

import ai.refinery.training.decode.DecoderWeights;
import ai.refinery.training.model.PositionEmbedding;
import ai.refinery.training.tokenizer.BpeTokenizer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * A trained model ready for generation: the decoder graph, its tokenizer, its context length and an id.
 *
 * <p>{@link #load} takes a folder on any Hadoop file system:
 * <ul>
 *   <li>a folder holding {@code model.zip} (a checkpoint folder {@code checkpoints/step-NNNNNNNNN/}, or an
 *       exported model written by {@link #write}), or</li>
 *   <li>a training run folder: the newest complete {@code checkpoints/step-NNNNNNNNN/model.zip} is used.</li>
 * </ul>
 * The tokenizer is the first {@code tokenizer.json} found in the folder, its {@code tokenizer/} child, or (for a
 * checkpoint folder) the run folder two levels up. model.zip is DL4J's ModelSerializer format; the optimizer
 * state in it is not loaded. The context length and vocabulary size are read from the graph itself, so no
 * separate model configuration file is needed.
 */
public final class ModelBundle {
    public static final String MODEL_ZIP = "model.zip";
    public static final String TOKENIZER_JSON = "tokenizer.json";
    public static final String CHECKPOINTS = "checkpoints";
    private static final String STEP_PREFIX = "step-";

    private final ComputationGraph graph;
    private final BpeTokenizer tokenizer;
    private final int contextLength;
    private final int vocabSize;
    private final String modelId;
    private DecoderWeights weights;

    public ModelBundle(ComputationGraph graph, BpeTokenizer tokenizer, String modelId) {
        this.graph = graph;
        this.tokenizer = tokenizer;
        this.contextLength = contextLength(graph);
        this.vocabSize = vocabSize(graph);
        this.modelId = modelId;
        if (tokenizer.vocabSize() > vocabSize) {
            throw new IllegalArgumentException("the tokenizer has " + tokenizer.vocabSize()
                    + " tokens but the model only " + vocabSize + " outputs: they do not belong together");
        }
    }

    /** Where a model folder's files are, resolved as described in the class comment. */
    public record Files(String modelZip, String tokenizerJson, String modelId) {
    }

    public static ModelBundle load(String dir, Configuration hadoop) {
        Files files = locate(dir, hadoop);
        return fromBytes(read(files.modelZip(), hadoop),
                new String(read(files.tokenizerJson(), hadoop), StandardCharsets.UTF_8), files.modelId());
    }

    /** Resolves model.zip and tokenizer.json for a model or run folder; the id is the run folder's name. */
    public static Files locate(String dir, Configuration hadoop) {
        Path root = new Path(dir);
        try {
            FileSystem fs = root.getFileSystem(hadoop);
            if (!fs.exists(root)) {
                throw new FileNotFoundException("no such model folder: " + dir);
            }
            Path modelDir;
            Path runDir;
            if (fs.exists(new Path(root, MODEL_ZIP))) {
                modelDir = root;
                boolean isCheckpoint = root.getName().startsWith(STEP_PREFIX) && root.getParent() != null
                        && CHECKPOINTS.equals(root.getParent().getName());
                runDir = isCheckpoint ? root.getParent().getParent() : root;
            } else {
                modelDir = newestCheckpoint(fs, new Path(root, CHECKPOINTS));
                if (modelDir == null) {
                    throw new FileNotFoundException(dir + " holds neither " + MODEL_ZIP + " nor a checkpoint in "
                            + CHECKPOINTS + "/" + STEP_PREFIX + "*/" + MODEL_ZIP);
                }
                runDir = root;
            }
            List<Path> candidates = new ArrayList<>(List.of(new Path(modelDir, TOKENIZER_JSON),
                    new Path(new Path(modelDir, "tokenizer"), TOKENIZER_JSON)));
            if (!runDir.equals(modelDir)) {
                candidates.add(new Path(runDir, TOKENIZER_JSON));
                candidates.add(new Path(new Path(runDir, "tokenizer"), TOKENIZER_JSON));
            }
            for (Path t : candidates) {
                if (fs.exists(t)) {
                    String id = runDir.equals(modelDir) ? runDir.getName() : runDir.getName() + "/" + modelDir.getName();
                    return new Files(new Path(modelDir, MODEL_ZIP).toString(), t.toString(), id);
                }
            }
            throw new FileNotFoundException("no " + TOKENIZER_JSON + " for the model in " + modelDir + " (looked at "
                    + candidates + ")");
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    private static Path newestCheckpoint(FileSystem fs, Path checkpoints) throws IOException {
        if (!fs.exists(checkpoints)) {
            return null;
        }
        List<Path> steps = new ArrayList<>();
        for (FileStatus st : fs.listStatus(checkpoints)) {
            String n = st.getPath().getName();
            if (st.isDirectory() && n.startsWith(STEP_PREFIX) && n.substring(STEP_PREFIX.length()).matches("\\d+")
                    && fs.exists(new Path(st.getPath(), MODEL_ZIP))) {
                steps.add(st.getPath());
            }
        }
        steps.sort(Comparator.comparingLong(p -> Long.parseLong(p.getName().substring(STEP_PREFIX.length()))));
        return steps.isEmpty() ? null : steps.get(steps.size() - 1);
    }

    public static byte[] read(String path, Configuration hadoop) {
        Path p = new Path(path);
        try (InputStream in = p.getFileSystem(hadoop).open(p)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    /** A bundle from model.zip bytes and tokenizer.json text (how Spark tasks get the model: one broadcast). */
    public static ModelBundle fromBytes(byte[] modelZip, String tokenizerJson, String modelId) {
        try {
            ComputationGraph graph = ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(modelZip), false);
            return new ModelBundle(graph, BpeTokenizer.fromJson(tokenizerJson, TOKENIZER_JSON), modelId);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load the model: " + e.getMessage(), e);
        }
    }

    /**
     * Writes an exported model folder: model.zip (without optimizer state), tokenizer.json and tokenizer_config.json
     * (the chat template for Hugging Face loaders).
     */
    public static void write(String dir, ComputationGraph graph, BpeTokenizer tokenizer, Configuration hadoop) {
        Path root = new Path(dir);
        try {
            FileSystem fs = root.getFileSystem(hadoop);
            fs.mkdirs(root);
            try (FSDataOutputStream out = fs.create(new Path(root, MODEL_ZIP), true)) {
                ModelSerializer.writeModel(graph, out, false);
            }
            try (FSDataOutputStream out = fs.create(new Path(root, TOKENIZER_JSON), true)) {
                out.write(tokenizer.toJson().getBytes(StandardCharsets.UTF_8));
            }
            try (FSDataOutputStream out = fs.create(new Path(root, BpeTokenizer.CONFIG_FILE), true)) {
                out.write(tokenizer.configJson().getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the model to " + dir + ": " + e.getMessage(), e);
        }
    }

    /** model.zip bytes of a graph (for tests and for shipping a model without a file system). */
    public static byte[] modelBytes(ComputationGraph graph) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ModelSerializer.writeModel(graph, out, false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static int contextLength(ComputationGraph graph) {
        for (GraphVertex v : graph.getConfiguration().getVertices().values()) {
            if (v instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof PositionEmbedding pe) {
                return pe.getLength();
            }
        }
        throw new IllegalArgumentException("the model has no position-embedding layer: not a decoder of this project");
    }

    private static int vocabSize(ComputationGraph graph) {
        Map<String, GraphVertex> vertices = graph.getConfiguration().getVertices();
        List<String> outputs = graph.getConfiguration().getNetworkOutputs();
        if (outputs.size() == 1 && vertices.get(outputs.get(0)) instanceof LayerVertex lv
                && lv.getLayerConf().getLayer() instanceof FeedForwardLayer ff) {
            return (int) ff.getNOut();
        }
        throw new IllegalArgumentException("the model's output is not a single softmax layer over the vocabulary");
    }

    public ComputationGraph graph() {
        return graph;
    }

    public BpeTokenizer tokenizer() {
        return tokenizer;
    }

    public int contextLength() {
        return contextLength;
    }

    public int vocabSize() {
        return vocabSize;
    }

    public String modelId() {
        return modelId;
    }

    /** The graph's parameters laid out for cached decoding, read once and shared by every generator. */
    public synchronized DecoderWeights weights() {
        if (weights == null) {
            weights = DecoderWeights.from(graph);
        }
        return weights;
    }

    /**
     * A generator decoding up to {@link Generator#DEFAULT_BATCH} sequences at once; for one thread only (another
     * thread takes another generator: each has its own scratch buffers over the shared weights).
     */
    public Generator generator() {
        return generator(Generator.DEFAULT_BATCH);
    }

    /** A generator decoding up to {@code maxBatch} sequences at once; for one thread only (weights are shared). */
    public Generator generator(int maxBatch) {
        return new Generator(weights(), tokenizer, maxBatch);
    }

}
