package ai.refinery.core.spark;

import ai.refinery.core.config.NoInputError;
import ai.refinery.core.output.StageOutput;
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

    public static Dataset<Row> read(SparkSession spark, List<String> inputs) {
        return spark.read().parquet(resolve(spark.sparkContext().hadoopConfiguration(), inputs).toArray(new String[0]));
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
                        Path data = new Path(match.getPath(), StageOutput.DATA);
                        boolean stageOutput = match.isDirectory() && fs.exists(data)
                                && fs.exists(new Path(match.getPath(), StageOutput.SUCCESS));
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
