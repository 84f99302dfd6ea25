package ai.refinery.rephrasing.model;

import java.util.LinkedHashMap;
import java.util.Map;

/** Settings for tests: short timeouts and back-offs. */
final class Settings {
    private Settings() {
    }

    static ModelRephraseSettings of(String endpoint, int timeoutS, int retries, int concurrency, int batchSize,
                                    Map<String, String> templates, Guards guards) {
        return new ModelRephraseSettings(endpoint, "m", "", new LinkedHashMap<>(templates), 1000, 16, 0.7, 0.95, 42,
                timeoutS, retries, 20, 200, concurrency, batchSize, guards);
    }

    static ModelRephraseSettings of(String endpoint, int timeoutS, int retries, int concurrency, int batchSize) {
        return of(endpoint, timeoutS, retries, concurrency, batchSize, Map.of("plain", "Rewrite: {text}"),
                Guards.basic(0, 100000, 5, 2.0));
    }
}
