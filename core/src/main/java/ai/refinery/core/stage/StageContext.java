package ai.refinery.core.stage;

import ai.refinery.core.output.Manifest;
import ai.refinery.core.output.Output;
import ai.refinery.core.output.RunFolder;
import ai.refinery.core.spark.Progress;
import com.typesafe.config.Config;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;

/** What a running stage gets from the runner. */
public interface StageContext {
    /** The command's name (filter, dedup, ...): the stage column of its rejections, the prefix of its log lines. */
    String name();

    /** The resolved configuration, already checked by {@link Stage#check}. */
    Config config();

    /** The Spark session (started by the runner before the output was opened). */
    SparkSession spark();

    /** The Hadoop configuration outputs and inputs are read with (Spark's, when Spark runs). */
    Configuration hadoop();

    /** The output being written; {@link Stage.Kind#NONE} stages have none. */
    Output output();

    /** The output as a run folder ({@link Stage.Kind#RUN_FOLDER} stages). */
    default RunFolder runFolder() {
        if (output() instanceof RunFolder folder) {
            return folder;
        }
        throw new IllegalStateException(name() + " does not write a run folder");
    }

    default Manifest manifest() {
        return output().manifest();
    }

    /**
     * A progress line for a long step: rows done, rate and ETA, updated in place on a terminal and logged every
     * few seconds otherwise. Close it when the step ends.
     */
    Progress progress(String step, long totalRows);
}
