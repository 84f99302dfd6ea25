package ai.refinery.core.config;

/** Nothing readable matched the inputs. Commands exit with status 3 on it. */
public class NoInputError extends RuntimeException {
    public NoInputError(String message) {
        super(message);
    }
}
