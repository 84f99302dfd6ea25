package ai.refinery.training.train;

import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * metrics/ of a run folder: Parquet with columns step, tokens, loss, val_loss, lr, tokens_per_s, val_accuracy
 * (added later: older folders read it as null).
 */
public final class MetricsTable {
    public static final StructType SCHEMA = new StructType()
            .add("step", DataTypes.LongType, false)
            .add("tokens", DataTypes.LongType, false)
            .add("loss", DataTypes.DoubleType, false)
            .add("val_loss", DataTypes.DoubleType, true)
            .add("lr", DataTypes.DoubleType, false)
            .add("tokens_per_s", DataTypes.DoubleType, false)
            .add("val_accuracy", DataTypes.DoubleType, true);

    private MetricsTable() {
    }

    public static Dataset<Row> toDataFrame(SparkSession spark, List<MetricRow> rows) {
        List<Row> out = new ArrayList<>();
        for (MetricRow r : rows) {
            out.add(RowFactory.create(r.step(), r.tokens(), r.loss(), r.valLoss(), r.lr(), r.tokensPerS(),
                    r.valAccuracy()));
        }
        return spark.createDataFrame(out, SCHEMA);
    }

    /** Replaces the folder with these rows (one file). */
    public static void write(SparkSession spark, List<MetricRow> rows, String dir) {
        toDataFrame(spark, rows).coalesce(1).write().mode(SaveMode.Overwrite).parquet(dir);
    }

    /** Rows of an existing folder, in step order; empty when there is none. */
    public static List<MetricRow> read(SparkSession spark, String dir) {
        Path p = new Path(dir);
        try {
            if (!p.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(new Path(p, "_SUCCESS"))) {
                return List.of();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<MetricRow> out = new ArrayList<>();
        for (Row r : spark.read().schema(SCHEMA).parquet(dir).orderBy("step").collectAsList()) {
            out.add(new MetricRow(r.getLong(0), r.getLong(1), r.getDouble(2), r.isNullAt(3) ? null : r.getDouble(3),
                    r.getDouble(4), r.getDouble(5), r.isNullAt(6) ? null : r.getDouble(6)));
        }
        return out;
    }
}
