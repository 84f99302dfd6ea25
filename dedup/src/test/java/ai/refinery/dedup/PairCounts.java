package ai.refinery.dedup;

/** Pair-level confusion counts of a clustering against a similarity truth: precision and recall of pairs. */
final class PairCounts {
    long truePositive;
    long falsePositive;
    long falseNegative;

    /** One pair: whether its true similarity reaches the threshold, and whether the run grouped it. */
    void add(boolean similar, boolean together) {
        if (similar && together) {
            truePositive++;
        } else if (together) {
            falsePositive++;
        } else if (similar) {
            falseNegative++;
        }
    }

    double precision() {
        return (double) truePositive / Math.max(1, truePositive + falsePositive);
    }

    double recall() {
        return (double) truePositive / Math.max(1, truePositive + falseNegative);
    }

    long similar() {
        return truePositive + falseNegative;
    }

    long grouped() {
        return truePositive + falsePositive;
    }
}
