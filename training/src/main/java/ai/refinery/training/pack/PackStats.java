package ai.refinery.training.pack;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Figures of a packing run. Tokens count every document's tokens plus its end-of-text separator; a split's
 * stream of N tokens gives floor((N - 1) / T) windows and drops the rest. tokensPerEpoch (U in the data
 * budget) is the training targets per epoch: trainWindows * T.
 */
public record PackStats(long documents, long emptyDocuments, long trainDocuments, long validationDocuments,
                        long trainTokens, long validationTokens, long trainWindows, long validationWindows,
                        long trainDroppedTokens, long validationDroppedTokens, int contextLength,
                        long tokensPerEpoch, double plannedEpochs, double effectiveTokens,
                        boolean repetitionWarning) {

    public long windows() {
        return trainWindows + validationWindows;
    }

    public long tokens() {
        return trainTokens + validationTokens;
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("documents", documents);
        m.put("documents_empty", emptyDocuments);
        m.put("documents_train", trainDocuments);
        m.put("documents_validation", validationDocuments);
        m.put("tokens", tokens());
        m.put("tokens_train", trainTokens);
        m.put("tokens_validation", validationTokens);
        m.put("context_length", contextLength);
        m.put("windows", windows());
        m.put("windows_train", trainWindows);
        m.put("windows_validation", validationWindows);
        m.put("tokens_dropped_train", trainDroppedTokens);
        m.put("tokens_dropped_validation", validationDroppedTokens);
        m.put("tokens_per_epoch", tokensPerEpoch);
        m.put("planned_epochs", plannedEpochs);
        m.put("effective_tokens", effectiveTokens);
        m.put("repetition_warning", repetitionWarning);
        return m;
    }
}
