package ai.refinery.dedup;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConnectedComponentsTest {
    private static int lastRounds;
    private static final StructType EDGES = new StructType()
            .add("src", DataTypes.StringType, false)
            .add("dst", DataTypes.StringType, false);

    private static Map<String, String> components(List<String[]> edges, int partitions) {
        return components(edges, partitions, DedupSettings.CheckpointMode.LOCAL);
    }

    private static Map<String, String> components(List<String[]> edges, int partitions,
                                                  DedupSettings.CheckpointMode mode) {
        List<Row> rows = new ArrayList<>();
        for (String[] e : edges) {
            rows.add(RowFactory.create(e[0], e[1]));
        }
        Dataset<Row> ds = SparkTestSupport.spark().createDataFrame(rows, EDGES).repartition(partitions);
        ConnectedComponents.Labels labels = ConnectedComponents.run(ds, 100, mode);
        lastRounds = labels.rounds();
        Map<String, String> m = new TreeMap<>();
        for (Row r : labels.labels().collectAsList()) {
            String previous = m.put(r.getString(0), r.getString(1));
            assertTrue(previous == null, "node " + r.getString(0) + " has two labels");
        }
        return m;
    }

    /** Reference answer: single-machine union-find, smallest id as label. */
    private static Map<String, String> reference(List<String[]> edges) {
        Map<String, String> parent = new HashMap<>();
        for (String[] e : edges) {
            String a = find(parent, e[0]);
            String b = find(parent, e[1]);
            if (!a.equals(b)) {
                if (a.compareTo(b) < 0) {
                    parent.put(b, a);
                } else {
                    parent.put(a, b);
                }
            }
        }
        Map<String, String> m = new TreeMap<>();
        for (String node : new ArrayList<>(parent.keySet())) {
            m.put(node, find(parent, node));
        }
        return m;
    }

    private static String find(Map<String, String> parent, String x) {
        parent.putIfAbsent(x, x);
        String root = x;
        while (!parent.get(root).equals(root)) {
            root = parent.get(root);
        }
        return root;
    }

    @Test
    void nodeLinkedToTwoCentresJoinsBothComponents() {
        // Already "star shaped" edges, but c points at two centres: a, b and c are one component.
        List<String[]> edges = List.of(new String[] {"c", "a"}, new String[] {"c", "b"}, new String[] {"e", "d"});
        Map<String, String> labels = components(edges, 2);
        assertEquals(Map.of("a", "a", "b", "a", "c", "a", "d", "d", "e", "d"), labels);
    }

    @Test
    void randomGraphsAndALongPathMatchUnionFind() {
        SplittableRandom random = new SplittableRandom(17);
        List<String[]> edges = new ArrayList<>();
        // A path whose ids are in shuffled order: the worst case for naive label propagation.
        int pathLength = 60;
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < pathLength; i++) {
            order.add(i);
        }
        java.util.Collections.shuffle(order, new java.util.Random(3));
        for (int i = 1; i < pathLength; i++) {
            edges.add(new String[] {"p" + order.get(i - 1), "p" + order.get(i)});
        }
        // Sparse random graph: many small components; a few self-loops and repeated edges.
        for (int i = 0; i < 250; i++) {
            String a = "n" + random.nextInt(300);
            String b = random.nextInt(20) == 0 ? a : "n" + random.nextInt(300);
            edges.add(new String[] {a, b});
            if (random.nextInt(10) == 0) {
                edges.add(new String[] {b, a});
            }
        }
        Map<String, String> expected = reference(edges);
        // Self-loop-only nodes have no edge to another node; the reference lists them as their own label.
        Map<String, String> actual = components(edges, 3);
        for (Map.Entry<String, String> e : expected.entrySet()) {
            if (!actual.containsKey(e.getKey())) {
                assertEquals(e.getKey(), e.getValue(), "node " + e.getKey() + " missing");
            }
        }
        expected.entrySet().removeIf(e -> !actual.containsKey(e.getKey()));
        assertEquals(expected, actual);
        assertTrue(lastRounds >= 2, "rounds " + lastRounds);
        assertEquals(actual, components(edges, 1));
        // Reliable checkpoints (to the checkpoint directory) give the same labels.
        SparkTestSupport.spark().sparkContext().setCheckpointDir(
                Path.of(System.getProperty("java.io.tmpdir"), "dedup-checkpoints").toString());
        assertEquals(actual, components(edges, 2, DedupSettings.CheckpointMode.RELIABLE));
        assertEquals(pathLength, actual.entrySet().stream().filter(e -> e.getKey().startsWith("p")).count());
        assertTrue(actual.entrySet().stream().filter(e -> e.getKey().startsWith("p")).allMatch(e -> e.getValue().equals("p0")));
    }
}
