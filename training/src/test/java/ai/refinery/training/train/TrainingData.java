package ai.refinery.training.train;

import ai.refinery.training.Corpora;
import ai.refinery.training.SparkTestSession;
import ai.refinery.training.model.GptModel;
import ai.refinery.training.model.ModelSettings;
import ai.refinery.training.pack.PackResult;
import ai.refinery.training.pack.PackSettings;
import ai.refinery.training.pack.Packer;
import ai.refinery.training.tokenizer.BpeTokenizer;
import ai.refinery.training.tokenizer.TokenizerSettings;
import ai.refinery.training.tokenizer.TokenizerTrainer;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Real text (the opening lines of Tika's English language test: Europarl), tokenized and packed. */
final class TrainingData {
    static final int CONTEXT = 16;
    static final int VOCAB = 300;

    private static Dataset<Row> windows;
    private static BpeTokenizer tokenizer;

    private TrainingData() {
    }

    /** The repository's conf/refinery.conf with the tiny model and the given overrides. */
    static Config conf(String... overrides) {
        Config c = ConfigFactory.parseFile(new File("../conf/refinery.conf"));
        c = ConfigFactory.parseFile(new File("../conf/model-tiny.conf")).withFallback(c);
        for (String o : overrides) {
            c = ConfigFactory.parseString(o).withFallback(c);
        }
        return c.resolve();
    }

    /** A named model size (conf/model-SIZE.conf over conf/refinery.conf). */
    static ModelSettings namedModel(String size) {
        return ModelSettings.from(ConfigFactory.parseFile(new File("../conf/model-" + size + ".conf"))
                .withFallback(ConfigFactory.parseFile(new File("../conf/refinery.conf"))).resolve());
    }

    /** One minibatch of seeded random token windows (speed measurements only: the loss means nothing). */
    static DataSet randomBatch(ModelSettings m, int batch, long seed) {
        Random r = new Random(seed);
        int[][] w = new int[batch][m.contextLength() + 1];
        for (int[] row : w) {
            for (int j = 0; j < row.length; j++) {
                row[j] = r.nextInt(m.vocabSize());
            }
        }
        return GptModel.dataSet(w, m.contextLength(), DataType.FLOAT);
    }

    /**
     * Europarl proceedings (up to maxBytes), with a tokenizer of the given vocabulary learned on them, packed
     * into windows of context + 1 tokens, a tenth held out for validation (kept in Spark's cache).
     */
    static Dataset<Row> europarlWindows(long maxBytes, int vocab, int context) throws Exception {
        SparkSession spark = SparkTestSession.get();
        List<Row> docs = new ArrayList<>();
        List<String> texts = Corpora.europarl(maxBytes);
        for (int i = 0; i < texts.size(); i++) {
            docs.add(RowFactory.create("europarl-" + i, texts.get(i)));
        }
        Dataset<Row> df = spark.createDataFrame(docs, new StructType()
                .add("id", DataTypes.StringType).add("text", DataTypes.StringType));
        BpeTokenizer t = TokenizerTrainer.train(spark, df, new TokenizerSettings(vocab, 2, 2_000_000, "text"));
        PackResult packed = Packer.run(spark, df, t,
                PackSettings.defaults().withContextLength(context).withValidationFraction(0.1));
        Dataset<Row> w = packed.windows().cache();
        w.count();
        packed.release();
        return w;
    }

    static synchronized Dataset<Row> windows() throws Exception {
        if (windows == null) {
            SparkSession spark = SparkTestSession.get();
            String[] lines = Corpora.languageTests().get("en").split("\n");
            List<Row> docs = new ArrayList<>();
            for (int i = 0; i < 6; i++) { // ~1,300 characters of Europarl
                docs.add(RowFactory.create("en-" + i, lines[i]));
            }
            Dataset<Row> df = spark.createDataFrame(docs, new StructType()
                    .add("id", DataTypes.StringType).add("text", DataTypes.StringType));
            tokenizer = TokenizerTrainer.train(spark, df, new TokenizerSettings(VOCAB, 2, 100_000, "text"));
            PackResult packed = Packer.run(spark, df, tokenizer,
                    PackSettings.defaults().withContextLength(CONTEXT).withValidationFraction(0.2));
            windows = packed.windows().cache();
            windows.count();
            packed.release();
        }
        return windows;
    }

    static BpeTokenizer tokenizer() throws Exception {
        windows();
        return tokenizer;
    }
}
