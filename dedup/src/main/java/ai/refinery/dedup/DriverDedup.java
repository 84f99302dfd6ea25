package ai.refinery.dedup;

import org.apache.spark.sql.Row;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Dedup of a small input in plain Java on the driver: the decisions of {@link DedupJob}'s Spark plan, step for
 * step (exact groups, LSH stars to each bucket's smallest id, verification, connected components, one survivor per
 * component), without its ~60 Spark jobs. Below some tens of thousands of documents the plan's fixed cost (query
 * planning, code generation and the JIT around them) is most of a run; here the work is a few hash maps.
 * {@code DriverDedupTest} checks that both give the same decisions.
 *
 * <p>Ids compare as Spark compares strings (UTF-8 bytes, i.e. code points), so survivors and labels are the same.
 */
final class DriverDedup {
    private DriverDedup() {
    }

    /**
     * One row of the job's node table: an input row (tier 1) or a matched index row (tier 0), with its features.
     * {@code bands}, {@code sig} and {@code sh} may be null.
     */
    record Node(String id, String scope, long w, long n, int tier, long hi, long lo, int len, long[] bands,
                long[] sig, long[] sh) implements Serializable {

        /** Reads a row of the job's node table (columns id, scope, w, n, tier, hi, lo, len, bands, sig, sh). */
        static Node of(Row r) {
            return new Node(r.getString(r.fieldIndex("id")), r.getString(r.fieldIndex("scope")),
                    r.getLong(r.fieldIndex("w")), r.getLong(r.fieldIndex("n")), r.getInt(r.fieldIndex("tier")),
                    r.getLong(r.fieldIndex("hi")), r.getLong(r.fieldIndex("lo")), r.getInt(r.fieldIndex("len")),
                    longs(r, "bands"), longs(r, "sig"), longs(r, "sh"));
        }

        private static long[] longs(Row r, String column) {
            int i = r.fieldIndex(column);
            if (r.isNullAt(i)) {
                return null;
            }
            List<Long> values = r.getList(i);
            long[] out = new long[values.size()];
            for (int k = 0; k < out.length; k++) {
                out[k] = values.get(k);
            }
            return out;
        }

        boolean hasBands() {
            return bands != null && bands.length > 0;
        }
    }

    /** One input row's decision: the columns of the job's decision table. */
    record Decision(String id, String reason, String duplicateOf, Integer clusterSize, boolean cluster,
                    boolean noShingles, boolean ofIndexed) {
    }

    record Result(List<Decision> decisions, long candidateEdges, long verifiedEdges) {
    }

    /** Spark's string order: UTF-8 bytes, which is code point order. */
    static final Comparator<String> ID_ORDER = (a, b) -> {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    };

    private record ExactKey(String scope, long hi, long lo) {
    }

    private record BucketKey(String scope, int band, long key) {
    }

    private record Edge(String src, String dst) {
    }

    /** Per exact group: its survivor and the summed weights and counts of its rows. */
    private static final class Group {
        Node survivor;
        long w;
        long n;
    }

    static Result run(List<Node> nodes, DedupSettings settings) {
        Comparator<Node> survivorOrder = Comparator.<Node>comparingInt(Node::tier)
                .thenComparingLong(settings.survivor() == SurvivorRule.LONGEST_TEXT ? x -> -(long) x.len() : x -> 0L)
                .thenComparing(Node::id, ID_ORDER);

        // 1. Exact groups (or every row its own group).
        Map<String, Group> groupOf = new HashMap<>();
        Map<ExactKey, Group> groups = new HashMap<>();
        for (Node x : nodes) {
            Group g = settings.exactEnabled()
                    ? groups.computeIfAbsent(new ExactKey(x.scope(), x.hi(), x.lo()), k -> new Group())
                    : new Group();
            if (g.survivor == null || survivorOrder.compare(x, g.survivor) < 0) {
                g.survivor = x;
            }
            g.w += x.w();
            g.n += x.n();
            groupOf.put(x.id(), g);
        }
        List<Node> survivors = new ArrayList<>();
        for (Node x : nodes) {
            if (groupOf.get(x.id()).survivor == x) {
                survivors.add(x);
            }
        }

        // 2. Near duplicates among the exact survivors: stars to each fresh bucket's smallest id, verified.
        long candidates = 0;
        long verified = 0;
        Labels labels = new Labels();
        if (settings.nearEnabled()) {
            Map<String, Node> byId = new HashMap<>();
            Map<BucketKey, List<Node>> buckets = new HashMap<>();
            for (Node x : survivors) {
                if (!x.hasBands()) {
                    continue;
                }
                byId.put(x.id(), x);
                for (int b = 0; b < x.bands().length; b++) {
                    buckets.computeIfAbsent(new BucketKey(x.scope(), b, x.bands()[b]), k -> new ArrayList<>(2)).add(x);
                }
            }
            Set<Edge> edges = new LinkedHashSet<>();
            for (List<Node> members : buckets.values()) {
                if (members.size() < 2 || members.stream().noneMatch(x -> x.tier() == 1)) {
                    continue; // buckets of indexed rows alone were settled by earlier runs
                }
                String root = members.stream().map(Node::id).min(ID_ORDER).orElseThrow();
                for (Node x : members) {
                    if (!x.id().equals(root)) {
                        edges.add(new Edge(x.id(), root));
                    }
                }
            }
            candidates = edges.size();
            for (Edge e : edges) {
                if (passes(byId.get(e.src()), byId.get(e.dst()), settings)) {
                    verified++;
                    labels.union(e.src(), e.dst());
                }
            }
        }

        // 3. One survivor per component, with the component's summed weights and counts.
        Map<String, Group> clusters = new HashMap<>();
        Map<String, Group> clusterOf = new HashMap<>();
        for (Node x : survivors) {
            String label = labels.find(x.id());
            Group c = clusters.computeIfAbsent(label, k -> new Group());
            Group g = groupOf.get(x.id());
            if (c.survivor == null || survivorOrder.compare(x, c.survivor) < 0) {
                c.survivor = x;
            }
            c.w += g.w;
            c.n += g.n;
            clusterOf.put(x.id(), c);
        }

        // 4. A decision per input row.
        List<Decision> decisions = new ArrayList<>();
        for (Node x : nodes) {
            if (x.tier() != 1) {
                continue;
            }
            Node exactOf = groupOf.get(x.id()).survivor;
            Group c = clusterOf.get(exactOf.id());
            Node keep = c.survivor;
            boolean kept = x.id().equals(keep.id());
            boolean groupSurvivor = x == exactOf;
            String reason = kept ? null : !groupSurvivor ? DedupJob.REASON_EXACT : DedupJob.REASON_NEAR;
            boolean hasShingles = settings.nearEnabled() && x.hasBands();
            decisions.add(new Decision(x.id(), reason, kept ? null : keep.id(), kept ? (int) c.w : null,
                    kept && c.n > 1, groupSurvivor && !hasShingles, keep.tier() == 0));
        }
        return new Result(decisions, candidates, verified);
    }

    /** The verification of {@link DedupJob#verify}: exact Jaccard where both shingle sets are known. */
    private static boolean passes(Node a, Node b, DedupSettings settings) {
        return switch (settings.verification()) {
            case OFF -> true;
            case ESTIMATED -> a.sig() != null && b.sig() != null
                    && MinHasher.estimate(a.sig(), b.sig()) >= settings.threshold();
            case EXACT -> a.sh() != null && b.sh() != null
                    ? Shingler.jaccard(a.sh(), b.sh()) >= settings.threshold()
                    : a.sig() != null && b.sig() != null
                    && MinHasher.estimate(a.sig(), b.sig()) >= settings.threshold();
        };
    }

    /** Union-find whose representative is always the smallest id of its set (ids without edges: themselves). */
    private static final class Labels {
        private final Map<String, String> parent = new HashMap<>();

        String find(String id) {
            String root = id;
            for (String p = parent.get(root); p != null; p = parent.get(root)) {
                root = p;
            }
            // Path compression: chains of copies can be long, and are walked again for every member.
            for (String x = id; !x.equals(root); ) {
                String next = parent.get(x);
                parent.put(x, root);
                x = next;
            }
            return root;
        }

        void union(String a, String b) {
            String ra = find(a);
            String rb = find(b);
            int c = ID_ORDER.compare(ra, rb);
            if (c < 0) {
                parent.put(rb, ra);
            } else if (c > 0) {
                parent.put(ra, rb);
            }
        }
    }
}
