package ai.refinery.pipeline.sft;

import java.io.Serializable;
import java.util.List;

/**
 * An instruction row of the SFT contract: a stable id, the conversation, where it came from, and where the
 * input gives them its split ({@code train} or {@code test}) and a quality score.
 *
 * @param split null when the input names none
 * @param score null when the input gives none
 */
public record SftRow(String id, List<Message> messages, String source, String split, Double score)
        implements Serializable {
    public static final String TRAIN = "train";
    public static final String TEST = "test";

    public SftRow {
        messages = List.copyOf(messages);
    }
}
