package ai.refinery.training.decode;

/**
 * One step of the sampling chain: changes a sequence's next-token logits in place, given what the sequence has
 * seen. A token set to negative infinity can no longer be chosen. See {@link SamplingChain} for the order.
 */
@FunctionalInterface
public interface LogitsProcessor {
    void process(float[] logits, TokenHistory history);
}
