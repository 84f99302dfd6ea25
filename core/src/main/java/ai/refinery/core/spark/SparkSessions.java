package ai.refinery.core.spark;

import ai.refinery.core.config.Section;
import ai.refinery.core.output.OutputSettings;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

import java.util.Map;

/** Creates the Spark session of a command: embedded local Spark by default, the cluster under spark-submit. */
public final class SparkSessions {
    private SparkSessions() {
    }

    public static SparkSession create(String appName, Config config) {
        SparkConf sparkConf = new SparkConf();
        // spark-submit passes its master as a system property, which SparkConf has already loaded.
        if (!sparkConf.contains("spark.master")) {
            sparkConf.setMaster(new Section(config, "spark").string("master"));
        }
        sparkConf.setIfMissing("spark.app.name", "refinery " + appName);
        // Refinery prints one progress line of its own (SparkProgress); Spark's bar would interleave with it and
        // fill a scheduler's log with carriage returns.
        sparkConf.setIfMissing("spark.ui.showConsoleProgress", "false");
        // One _SUCCESS per stage output, at its root, written by Refinery after everything else.
        sparkConf.setIfMissing("spark.hadoop.mapreduce.fileoutputcommitter.marksuccessfuljobs", "false");
        sparkConf.setIfMissing("spark.sql.parquet.compression.codec", OutputSettings.compression(config));
        // Keys may be quoted ("spark.sql.shuffle.partitions" = 8) or nested (--set spark.conf.spark.x=1): flatten both.
        for (Map.Entry<String, ConfigValue> entry : config.getConfig("spark.conf").entrySet()) {
            String key = String.join(".", ConfigUtil.splitPath(entry.getKey()));
            sparkConf.set(key, String.valueOf(entry.getValue().unwrapped()));
        }
        ShufflePartitions.markIfUnset(sparkConf);
        SparkSession spark = SparkSession.builder().config(sparkConf).getOrCreate();
        ShufflePartitions.fit(spark, 0);
        return spark;
    }
}
