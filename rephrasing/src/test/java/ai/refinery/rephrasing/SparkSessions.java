package ai.refinery.rephrasing;

import org.apache.spark.sql.SparkSession;

/** Local Spark for tests: small shuffles, no UI. */
final class SparkSessions {
    private SparkSessions() {
    }

    static SparkSession local(int threads) {
        return SparkSession.builder()
                .master("local[" + threads + "]")
                .appName("rephrasing-test")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "4")
                .config("spark.default.parallelism", "2")
                .getOrCreate();
    }
}
