package ai.refinery.training.analysis;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The few-shot prompts of a question: {@code shots} question/answer exemplars drawn from the pool (never the
 * question's own row), then the question, in the form
 * <pre>
 * Q: &lt;question&gt;
 * A: &lt;answer&gt;
 *
 * Q: &lt;question&gt;
 * A:</pre>
 * The draws depend only on the seed, the row's id and the prompt's number, so a row's prompts are the same
 * whatever the partitioning.
 */
public final class KnowledgePrompts implements Serializable {
    private final List<Qa> pool;
    private final int shots;
    private final long seed;

    /** A question, its reference answer and its row id. */
    public record Qa(String id, String question, String answer) implements Serializable {
    }

    public KnowledgePrompts(List<Qa> pool, int shots, long seed) {
        this.pool = List.copyOf(pool);
        this.shots = shots;
        this.seed = seed;
    }

    /** Whether a row has enough other rows in the pool to draw its exemplars from. */
    public boolean enough(String id) {
        long own = pool.stream().filter(q -> q.id().equals(id)).count();
        return pool.size() - own >= shots;
    }

    /** The K prompts of a row. */
    public List<String> prompts(Qa row, int k) {
        List<String> out = new ArrayList<>(k);
        for (int i = 0; i < k; i++) {
            SplittableRandom r = new SplittableRandom(mix(seed, hash(row.id()), i));
            StringBuilder p = new StringBuilder();
            for (Qa e : draw(r, row.id())) {
                p.append("Q: ").append(oneLine(e.question())).append("\nA: ").append(oneLine(e.answer())).append("\n\n");
            }
            p.append("Q: ").append(oneLine(row.question())).append("\nA:");
            out.add(p.toString());
        }
        return out;
    }

    /** {@code shots} distinct pool rows other than the row itself (a partial Fisher-Yates shuffle). */
    private List<Qa> draw(SplittableRandom r, String id) {
        List<Qa> candidates = new ArrayList<>(pool.size());
        for (Qa q : pool) {
            if (!q.id().equals(id)) {
                candidates.add(q);
            }
        }
        if (candidates.size() < shots) {
            throw new IllegalArgumentException("the exemplar pool has " + candidates.size() + " other rows, "
                    + shots + " needed");
        }
        for (int i = 0; i < shots; i++) {
            int j = i + r.nextInt(candidates.size() - i);
            Qa t = candidates.get(i);
            candidates.set(i, candidates.get(j));
            candidates.set(j, t);
        }
        return candidates.subList(0, shots);
    }

    /** The answer a continuation gives: its first line, trimmed. */
    public static String answer(String continuation) {
        int nl = continuation.indexOf('\n');
        return (nl >= 0 ? continuation.substring(0, nl) : continuation).strip();
    }

    private static String oneLine(String s) {
        return s.strip().replaceAll("\\s*\\n\\s*", " ");
    }

    /** A 64-bit hash of a string (FNV-1a over its UTF-8 bytes, then mixed). */
    public static long hash(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return splitmix(h);
    }

    public static long mix(long... parts) {
        long h = 0x9E3779B97F4A7C15L;
        for (long p : parts) {
            h = splitmix(h ^ p) + 0x9E3779B97F4A7C15L;
        }
        return h;
    }

    private static long splitmix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
