package ai.refinery.training.pack;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a token stream into training windows. Window k holds stream positions kT .. kT + T (T + 1 tokens,
 * T = context length): its first T tokens are the inputs and its last T the next-token targets, and
 * consecutive windows share one token, so every stream token after the first is a target exactly once.
 * Only whole windows are kept; the tail after the last one is dropped (and counted).
 */
public final class WindowCutter {
    /** Part of a document inside one window: tokens[from, to) of the document at offset in window k. */
    public record Piece(long window, int offset, int from, int to) {
    }

    private WindowCutter() {
    }

    /** Whole windows a stream of this many tokens yields. */
    public static long windows(long streamTokens, int contextLength) {
        return streamTokens <= contextLength ? 0 : (streamTokens - 1) / contextLength;
    }

    /** Stream tokens outside every window (the tail). */
    public static long droppedTokens(long streamTokens, int contextLength) {
        long w = windows(streamTokens, contextLength);
        return w == 0 ? streamTokens : streamTokens - (w * contextLength + 1);
    }

    /**
     * The pieces of a document of {@code length} tokens that starts at stream position {@code start},
     * for windows below {@code windowLimit}.
     */
    public static List<Piece> pieces(long start, int length, int contextLength, long windowLimit) {
        List<Piece> out = new ArrayList<>();
        if (length == 0) {
            return out;
        }
        long t = contextLength;
        long end = start + length;
        long first = Math.max(0, Math.floorDiv(start - 1, t)); // last window whose span reaches start
        long last = Math.min(windowLimit - 1, (end - 1) / t);
        for (long k = first; k <= last; k++) {
            long lo = Math.max(start, k * t);
            long hi = Math.min(end, k * t + t + 1);
            if (lo < hi) {
                out.add(new Piece(k, (int) (lo - k * t), (int) (lo - start), (int) (hi - start)));
            }
        }
        return out;
    }
}
