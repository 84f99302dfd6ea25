package ai.refinery.training.train;

import org.nd4j.linalg.schedule.ISchedule;

/**
 * Learning rate by step (DL4J's iteration count): linear warm-up from peak/warmup to peak over the first
 * warmupSteps steps, then a half cosine from peak down to min at totalSteps, and min after that.
 * Bean accessors and the no-argument constructor are for DL4J's JSON configuration.
 */
public class WarmupCosineSchedule implements ISchedule {
    private static final long serialVersionUID = 1L;
    private double peak;
    private double min;
    private int warmupSteps;
    private int totalSteps;

    public WarmupCosineSchedule() {
    }

    public WarmupCosineSchedule(double peak, double min, int warmupSteps, int totalSteps) {
        this.peak = peak;
        this.min = min;
        this.warmupSteps = warmupSteps;
        this.totalSteps = totalSteps;
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        if (iteration < warmupSteps) {
            return peak * (iteration + 1) / warmupSteps;
        }
        int decaySteps = Math.max(1, totalSteps - warmupSteps);
        double progress = Math.min(1.0, (double) (iteration - warmupSteps) / decaySteps);
        return min + 0.5 * (peak - min) * (1 + Math.cos(Math.PI * progress));
    }

    @Override
    public ISchedule clone() {
        return new WarmupCosineSchedule(peak, min, warmupSteps, totalSteps);
    }

    public double getPeak() {
        return peak;
    }

    public void setPeak(double peak) {
        this.peak = peak;
    }

    public double getMin() {
        return min;
    }

    public void setMin(double min) {
        this.min = min;
    }

    public int getWarmupSteps() {
        return warmupSteps;
    }

    public void setWarmupSteps(int warmupSteps) {
        this.warmupSteps = warmupSteps;
    }

    public int getTotalSteps() {
        return totalSteps;
    }

    public void setTotalSteps(int totalSteps) {
        this.totalSteps = totalSteps;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WarmupCosineSchedule s && s.peak == peak && s.min == min
                && s.warmupSteps == warmupSteps && s.totalSteps == totalSteps;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(peak, min, warmupSteps, totalSteps);
    }
}
