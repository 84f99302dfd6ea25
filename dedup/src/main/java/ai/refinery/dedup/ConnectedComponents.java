package ai.refinery.dedup;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.min;

/**
 * Connected components of an undirected graph given as an edge Dataset, computed entirely with Spark
 * aggregations and joins: the large-star / small-star algorithm of Kiveris, Lattanzi, Mirrokni, Rastogi and
 * Vassilvitskii, "Connected Components in MapReduce and Beyond" (SoCC 2014). Nothing is collected to the
 * driver and no node's neighbourhood is ever gathered into one list: neighbourhood minima come from
 * min-aggregations that are joined back to the edges, so a node with millions of neighbours costs no more
 * memory than one with two. Each round's edges are checkpointed so the plan stays small.
 *
 * <p>Node ids are strings compared in Spark's (binary UTF-8) order; each component's label is its smallest id.
 * The result depends only on the edge set, never on the partitioning.
 */
public final class ConnectedComponents {
    private ConnectedComponents() {
    }

    /**
     * Result: labels of every node that has an edge, how many rounds it took, and the stored edges the labels are
     * read from (free them with {@link Lineage#free} once the labels are used).
     */
    public record Labels(Dataset<Row> labels, int rounds, Dataset<Row> stored) {
    }

    /**
     * @param edges rows with string columns {@code src} and {@code dst} (self-loops and repeats allowed)
     * @return rows {@code (id, label)} for every node of an edge; label = smallest id of its component
     */
    public static Labels run(Dataset<Row> edges, int maxRounds, DedupSettings.CheckpointMode mode) {
        // Orient every edge from the larger id to the smaller: (u, v) with u > v.
        Dataset<Row> current = Lineage.materialize(edges.where(col("src").notEqual(col("dst")))
                .select(greatest(col("src"), col("dst")).as("u"), least(col("src"), col("dst")).as("v"))
                .distinct(), mode);
        int rounds = 0;
        // LSH stars are often already stars (every pair cluster is): then no round is needed.
        while (!isStarForest(current)) {
            if (rounds >= maxRounds) {
                throw new IllegalStateException("connected components did not converge in " + maxRounds
                        + " rounds (dedup.components.max_iterations)");
            }
            rounds++;
            Dataset<Row> previous = current;
            current = Lineage.materialize(smallStar(largeStar(current)), mode);
            Lineage.free(previous);
        }
        Dataset<Row> leaves = current.select(col("u").as("id"), col("v").as("label"));
        Dataset<Row> centers = current.select(col("v").as("id"), col("v").as("label")).distinct();
        return new Labels(leaves.union(centers), rounds, current);
    }

    /**
     * Large-star: for every node a with m = min(a, neighbours of a), link each neighbour b greater than a to m.
     * Input and output edges are oriented (u > v).
     */
    static Dataset<Row> largeStar(Dataset<Row> oriented) {
        Dataset<Row> both = oriented.select(col("u").as("a"), col("v").as("b"))
                .union(oriented.select(col("v").as("a"), col("u").as("b")));
        Dataset<Row> minima = both.groupBy("a").agg(min("b").as("m"))
                .select(col("a").as("ma"), least(col("a"), col("m")).as("m"));
        // The big side streams through the join; the minima side has one row per node.
        return both.join(minima, col("a").equalTo(col("ma")))
                .where(col("b").gt(col("a")))
                .select(col("b").as("u"), col("m").as("v"))
                .distinct();
    }

    /**
     * Small-star: for every node u with smaller neighbours N and m = min(N), link u and every other member of N
     * to m. Input and output edges are oriented (u > v).
     */
    static Dataset<Row> smallStar(Dataset<Row> oriented) {
        Dataset<Row> minima = oriented.groupBy("u").agg(min("v").as("m"))
                .select(col("u").as("mu"), col("m"));
        Dataset<Row> others = oriented.join(minima, col("u").equalTo(col("mu")))
                .where(col("v").notEqual(col("m")))
                .select(col("v").as("u"), col("m").as("v"));
        Dataset<Row> own = minima.select(col("mu").as("u"), col("m").as("v"));
        return others.union(own).distinct();
    }

    /**
     * Converged when every component is a star around its smallest id: no node has two outgoing edges and no
     * edge points at a node that itself points further.
     */
    static boolean isStarForest(Dataset<Row> oriented) {
        Dataset<Row> forked = oriented.groupBy("u").count().where(col("count").gt(1)).select(col("u").as("x"));
        Dataset<Row> chained = oriented.select(col("v").as("x")).distinct()
                .join(oriented.select("u"), col("x").equalTo(col("u")), "left_semi");
        return forked.union(chained).isEmpty();
    }
}
