package ai.refinery.core.config;

/** A bad setting or option: the message names the key. Commands exit with status 2 on it. */
public class ConfigError extends RuntimeException {
    public ConfigError(String message) {
        super(message);
    }

    public ConfigError(String message, Throwable cause) {
        super(message, cause);
    }

    /** An error for one key: "filter.language.threshold: must be in [0, 1], got 1.5". */
    public static ConfigError forKey(String key, String problem) {
        return new ConfigError(key + ": " + problem);
    }
}
