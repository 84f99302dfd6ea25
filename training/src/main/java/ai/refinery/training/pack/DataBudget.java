package ai.refinery.training.pack;

/**
 * The data-constrained scaling law of Muennighoff et al. (2023): repeated tokens are worth less than fresh
 * ones. With U unique tokens seen for E epochs (R = E - 1 repetitions), the effective data is
 * D' = U + U * R* * (1 - exp(-R / R*)), R* about 15.4. Up to about 4 epochs D' stays close to E * U;
 * beyond that returns fade. For E below 1 only E * U tokens are seen, so D' = E * U.
 */
public final class DataBudget {
    private DataBudget() {
    }

    public static double effectiveTokens(double uniqueTokens, double epochs, double repetitionConstant) {
        if (epochs <= 1) {
            return uniqueTokens * epochs;
        }
        double r = epochs - 1;
        return uniqueTokens + uniqueTokens * repetitionConstant * (1 - Math.exp(-r / repetitionConstant));
    }
}
