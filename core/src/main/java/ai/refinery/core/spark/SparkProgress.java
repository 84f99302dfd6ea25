package ai.refinery.core.spark;

import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.StageInfo;
import org.apache.spark.executor.TaskMetrics;
import org.apache.spark.sql.SparkSession;
import scala.collection.JavaConverters;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Feeds one {@link Progress} line from Spark's task events for the whole of a stage run: rows done are the records
 * the finished tasks read from files plus those they wrote, and the ETA follows the share of finished tasks of the
 * running Spark job. Replaces Spark's own console progress bar (switched off by {@link SparkSessions}), which draws
 * one bar per Spark stage and fills a scheduler's log with carriage returns.
 */
public final class SparkProgress extends SparkListener implements AutoCloseable {
    private final SparkSession spark;
    private final Progress progress;
    private final AtomicLong jobTasks = new AtomicLong();
    private final AtomicLong jobTasksDone = new AtomicLong();
    private final ScheduledExecutorService ticker;

    private SparkProgress(SparkSession spark, Progress progress) {
        this.spark = spark;
        this.progress = progress;
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "refinery-progress");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts reporting; {@link #close()} prints the last line and stops listening. */
    public static SparkProgress start(SparkSession spark, String label) {
        SparkProgress p = new SparkProgress(spark, Progress.standard(label, 0));
        spark.sparkContext().addSparkListener(p);
        p.ticker.scheduleAtFixedRate(p::tick, 1, 1, TimeUnit.SECONDS);
        return p;
    }

    private void tick() {
        long tasks = jobTasks.get();
        if (tasks > 0 && progress.done() > 0) {
            progress.maybePrint(Math.min(1.0, jobTasksDone.get() / (double) tasks));
        }
    }

    @Override
    public void onJobStart(SparkListenerJobStart jobStart) {
        long tasks = 0;
        for (StageInfo stage : JavaConverters.seqAsJavaList(jobStart.stageInfos())) {
            tasks += stage.numTasks();
        }
        jobTasks.set(tasks);
        jobTasksDone.set(0);
    }

    @Override
    public void onJobEnd(SparkListenerJobEnd jobEnd) {
        jobTasksDone.set(jobTasks.get());
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd taskEnd) {
        jobTasksDone.incrementAndGet();
        TaskMetrics m = taskEnd.taskMetrics();
        if (m != null) {
            progress.advance(m.inputMetrics().recordsRead() + m.outputMetrics().recordsWritten());
        }
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        spark.sparkContext().removeSparkListener(this);
        if (progress.done() > 0) {
            progress.close();
        }
    }
}
