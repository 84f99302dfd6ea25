package ai.refinery.training.train;

import java.io.Serializable;

/**
 * One row of metrics/ (Parquet columns step, tokens, loss, val_loss, lr, tokens_per_s, val_accuracy).
 *
 * @param step       optimizer steps done (one step = one minibatch on every worker)
 * @param tokens     training tokens consumed so far
 * @param loss       mean training cross-entropy per token (nats) over the workers' last minibatches
 * @param valLoss    mean validation cross-entropy per token, or null when not evaluated at this step
 * @param lr         learning rate of the last step
 * @param tokensPerS training throughput since the previous row (tokens / wall-clock second)
 * @param valAccuracy share of validation targets (the loss-bearing ones) whose most probable token is the
 *                    target, or null when not evaluated at this step
 */
public record MetricRow(long step, long tokens, double loss, Double valLoss, double lr, double tokensPerS,
                        Double valAccuracy) implements Serializable {

    /** exp(val_loss), or null. */
    public Double valPerplexity() {
        return valLoss == null ? null : Math.exp(valLoss);
    }
}
