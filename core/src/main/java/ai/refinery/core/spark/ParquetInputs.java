package ai.refinery.core.spark;

import ai.refinery.core.config.NoInputError;
import ai.refinery.core.output.Layout;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code --input} of stages that read Parquet (dedup, rephrase, tokenizer, ...): Parquet files, folders or
 * globs, or the output folder of an earlier stage, whose {@code data/} is then read.
 */
public final class ParquetInputs {
    private ParquetInputs() {
    }

    /** Reads the inputs, sizing the session's shuffles for them (see {@link ShufflePartitions}). */
    public static Dataset<Row> read(SparkSession spark, List<String> inputs) {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        List<String> paths = resolve(conf, inputs);
        ShufflePartitions.fit(spark, bytes(conf, paths));
        return spark.read().parquet(paths.toArray(new String[0]));
    }

    /** The total size of the files under the paths. */
    public static long bytes(Configuration conf, List<String> paths) {
        long total = 0;
        for (String p : paths) {
            try {
                Path path = new Path(p);
                total += path.getFileSystem(conf).getContentSummary(path).getLength();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list --input " + p, e);
            }
        }
        return total;
    }

    /** @throws NoInputError when an input matches nothing (exit 3) */
    public static List<String> resolve(Configuration conf, List<String> inputs) {
        List<String> paths = new ArrayList<>();
        for (String input : inputs) {
            for (String part : input.split(",")) {
                String spec = part.trim();
                if (spec.isEmpty()) {
                    continue;
                }
                try {
                    Path path = new Path(spec);
                    FileSystem fs = path.getFileSystem(conf);
                    FileStatus[] matches = fs.globStatus(path);
                    if (matches == null || matches.length == 0) {
                        throw new NoInputError("--input " + spec + ": no such file or folder");
                    }
                    for (FileStatus match : matches) {
                        Path data = new Path(match.getPath(), Layout.DATA);
                        boolean stageOutput = match.isDirectory() && fs.exists(data)
                                && fs.exists(new Path(match.getPath(), Layout.SUCCESS));
                        paths.add((stageOutput ? data : match.getPath()).toString());
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot list --input " + spec, e);
                }
            }
        }
        if (paths.isEmpty()) {
            throw new NoInputError("no input given");
        }
        return paths;
    }
}
