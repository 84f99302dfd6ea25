package ai.refinery.training.tokenizer;

import java.util.List;

/**
 * The reserved special tokens. They take the first ids of every vocabulary this project trains, in this
 * order, so their ids are fixed whatever the corpus or vocabulary size: 0 end of text (the document
 * separator in packed data), 1 padding, then the chat-template markers used by supervised fine-tuning.
 * The 256 byte tokens follow (id 6 + byte value), then the learned merges in the order they were learned.
 */
public final class SpecialTokens {
    public static final String END_OF_TEXT = "<|endoftext|>";
    public static final String PAD = "<|pad|>";
    public static final String SYSTEM = "<|system|>";
    public static final String USER = "<|user|>";
    public static final String ASSISTANT = "<|assistant|>";
    public static final String END = "<|end|>";

    public static final int END_OF_TEXT_ID = 0;
    public static final int PAD_ID = 1;
    public static final int SYSTEM_ID = 2;
    public static final int USER_ID = 3;
    public static final int ASSISTANT_ID = 4;
    public static final int END_ID = 5;

    /** In id order. */
    public static final List<String> ALL = List.of(END_OF_TEXT, PAD, SYSTEM, USER, ASSISTANT, END);

    /** Id of the first byte token; byte b has id FIRST_BYTE_ID + b. */
    public static final int FIRST_BYTE_ID = ALL.size();

    /** Smallest possible vocabulary: the special tokens and the 256 bytes, no merges. */
    public static final int MIN_VOCAB_SIZE = FIRST_BYTE_ID + 256;

    private SpecialTokens() {
    }
}
