package ai.refinery.pipeline.langid;

import java.io.Serializable;
import java.util.Objects;

/**
 * The language of one text as a detector sees it.
 *
 * @param language an ISO 639-1 code in lower case, or {@link LanguageIdentifier#UNDETERMINED}
 * @param score    a probability-like confidence for {@code language} in [0, 1]; 0 when undetermined
 */
public record Detection(String language, double score) implements Serializable {

    public Detection {
        Objects.requireNonNull(language, "language");
        if (!(score >= 0.0 && score <= 1.0)) {
            throw new IllegalArgumentException("score must be in [0, 1], got " + score);
        }
    }

    public static Detection undetermined() {
        return new Detection(LanguageIdentifier.UNDETERMINED, 0.0);
    }
}
