package ai.refinery.training.pack;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;

/**
 * Conversations one after the other in one window of context_length + 1 tokens, the rest padding: the tokens,
 * the loss mask over the context_length targets (target i is token i + 1; it is trained on when the template
 * marks token i + 1 a target and tokens i and i + 1 belong to the same conversation, so no conversation is
 * trained to predict the next one's first token) and the segment of every token (the conversation's index in the
 * window, -1 for padding). With one conversation this is the padded window of {@link SftWindow}. The model sees
 * the segments as restarted positions and block-diagonal attention, so each conversation's loss is what it would
 * be alone in a window.
 */
public record PackedSftWindow(int[] tokens, int[] lossMask, int[] segment, int length) implements Serializable {
    /** Segment of the padding after the last conversation. */
    public static final int PADDING = -1;

    public static PackedSftWindow of(List<SftWindow.Fit> conversations, int contextLength, int padId) {
        int[] tokens = new int[contextLength + 1];
        int[] segment = new int[contextLength + 1];
        byte[] targets = new byte[contextLength + 1];
        int at = 0;
        for (int c = 0; c < conversations.size(); c++) {
            SftWindow.Fit f = conversations.get(c);
            if (!f.hasWindow() || at + f.length() > tokens.length) {
                throw new IllegalArgumentException("conversation " + c + " (" + f.length() + " tokens, " + f.status()
                        + ") does not fit the " + (tokens.length - at) + " tokens left in the window");
            }
            System.arraycopy(f.tokens(), 0, tokens, at, f.length());
            System.arraycopy(f.targets(), 0, targets, at, f.length());
            Arrays.fill(segment, at, at + f.length(), c);
            at += f.length();
        }
        Arrays.fill(tokens, at, tokens.length, padId);
        Arrays.fill(segment, at, tokens.length, PADDING);
        int[] mask = new int[contextLength];
        for (int i = 0; i + 1 < at; i++) {
            mask[i] = segment[i] == segment[i + 1] ? targets[i + 1] : 0;
        }
        return new PackedSftWindow(tokens, mask, segment, at);
    }

    /**
     * Best-fit decreasing: conversations longest first (ties in the given order), each into the window with the
     * least room that still holds it, else a new window. Returns the windows as indices into the list, each in
     * ascending order.
     *
     * @param lengths  the conversations' token counts, each at most capacity
     * @param capacity tokens of a window (context_length + 1)
     */
    public static List<List<Integer>> bestFitDecreasing(int[] lengths, int capacity) {
        Integer[] order = new Integer[lengths.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.<Integer>comparingInt(i -> -lengths[i]).thenComparingInt(i -> i));
        List<List<Integer>> windows = new ArrayList<>();
        // Room left -> windows with that room, the earliest opened first (deterministic).
        TreeMap<Integer, java.util.ArrayDeque<Integer>> byRoom = new TreeMap<>();
        int[] room = new int[lengths.length];
        for (int i : order) {
            if (lengths[i] > capacity || lengths[i] < 1) {
                throw new IllegalArgumentException("a conversation of " + lengths[i] + " tokens in a window of " + capacity);
            }
            var fit = byRoom.ceilingEntry(lengths[i]);
            int w;
            if (fit == null) {
                w = windows.size();
                windows.add(new ArrayList<>());
                room[w] = capacity;
            } else {
                w = fit.getValue().pollFirst();
                if (fit.getValue().isEmpty()) {
                    byRoom.remove(fit.getKey());
                }
            }
            windows.get(w).add(i);
            room[w] -= lengths[i];
            if (room[w] > 0) {
                byRoom.computeIfAbsent(room[w], k -> new java.util.ArrayDeque<>()).addLast(w);
            }
        }
        for (List<Integer> w : windows) {
            w.sort(null);
        }
        return windows;
    }
}
