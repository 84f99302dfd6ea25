package ai.refinery.dedup;

import ai.refinery.core.config.ConfigError;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static ai.refinery.core.schema.Columns.CLUSTER_SIZE;
import static ai.refinery.core.schema.Columns.DUPLICATE_OF;
import static ai.refinery.core.schema.Columns.REASON;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.posexplode;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.sql.functions.when;

/**
 * The dedup stage on Spark: exact dedup on a 128-bit hash of the normalised text, then MinHash LSH near-dup
 * detection among the exact survivors, verification of the candidate pairs, connected components, and one
 * survivor per component.
 *
 * <p>Memory does not grow with the size of any group: exact groups and LSH buckets are reduced by
 * min-aggregations (each bucket becomes a star from its members to its smallest id, n - 1 edges) and joined
 * back, never collected into lists; connected components run as joins and aggregations too. Everything
 * is keyed by content and ids, so the kept set does not depend on partitioning.
 */
public final class DedupJob {
    public static final String REASON_EXACT = "exact-duplicate";
    public static final String REASON_NEAR = "near-duplicate";

    private static final String JOIN_ID = "_dedup_id";

    private DedupJob() {
    }

    /**
     * @param docs input rows with at least a unique, non-null {@code id} and a {@code text} column (null text
     *             counts as empty); an integer {@code cluster_size} column, if present, weights each row (so
     *             re-deduplicating deduplicated data adds the cluster sizes up)
     * @throws ConfigError              when {@code dedup.scope_column} names a column the input lacks
     * @throws IllegalArgumentException when a column is missing or ids are null or not unique
     */
    public static DedupResult run(SparkSession spark, Dataset<Row> docs, DedupSettings settings) {
        return run(spark, docs, settings, null);
    }

    /**
     * Deduplicates {@code docs} within themselves and, when {@code index} is given, against the documents earlier
     * runs kept (its rows): an input document that is an exact or near duplicate of an indexed one (same scope)
     * is removed with {@code duplicate_of} = the indexed id. Indexed documents are already published, so they
     * win every cluster they are in and never appear in the output. With an index the result also holds the
     * kept documents' index rows ({@link DedupResult#survivorSignatures()}).
     *
     * @param index signature index of earlier runs, or null for a self-contained run
     * @throws ConfigError also when an input id is already in the index (the input was indexed before)
     */
    public static DedupResult run(SparkSession spark, Dataset<Row> docs, DedupSettings settings, SignatureIndex index) {
        List<String> columns = Arrays.asList(docs.columns());
        for (String required : List.of("id", "text")) {
            if (!columns.contains(required)) {
                throw new IllegalArgumentException("dedup input has no '" + required + "' column; columns: " + columns);
            }
        }
        boolean scoped = !settings.scopeColumn().isEmpty();
        if (scoped && !columns.contains(settings.scopeColumn())) {
            throw settings.missingScopeColumn();
        }
        if (settings.checkpoint() == DedupSettings.CheckpointMode.RELIABLE
                && spark.sparkContext().getCheckpointDir().isEmpty()) {
            throw ConfigError.forKey("dedup.components.checkpoint",
                    "'reliable' needs a Spark checkpoint directory (SparkContext.setCheckpointDir)");
        }
        if (index != null && !settings.nearEnabled()) {
            throw ConfigError.forKey("dedup.near.enabled", "must be true with " + IndexSettings.KEY_PATH);
        }

        // 1. One pass over the texts: exact key, length, band keys, verification data (and, for the index,
        // whatever the survivors' index rows need).
        DocumentFeatures features = index == null ? new DocumentFeatures(settings)
                : new DocumentFeatures(settings, true, index.storesShingles());
        // Marked non-deterministic only so the optimiser cannot inline the UDF once per extracted field.
        UserDefinedFunction featuresUdf = udf((UDF1<String, Row>) features::compute, DocumentFeatures.SCHEMA)
                .asNondeterministic().asNonNullable();
        Column scope = scoped ? col(settings.scopeColumn()).cast("string") : lit(null).cast("string");
        Column weight = columns.contains(CLUSTER_SIZE)
                ? coalesce(col(CLUSTER_SIZE).cast("long"), lit(1L)) : lit(1L);
        // tier 1: an input row; tier 0: an indexed row, which wins every survivor choice and counts for nothing.
        Dataset<Row> feats = docs
                .select(col("id").cast("string").as("id"), scope.as("scope"), weight.as("w"),
                        featuresUdf.apply(col("text").cast("string")).as("f"))
                .select(col("id"), col("scope"), col("w"), lit(1L).as("n"), lit(1).as("tier"),
                        col("f.exact_hi").as("hi"), col("f.exact_lo").as("lo"), col("f.length").as("len"),
                        col("f.bands").as("bands"), col("f.signature").as("sig"), col("f.shingles").as("sh"));
        // Small inputs are settled on the driver (DriverDedup): the same decisions without the plan's fixed cost.
        boolean onDriver = settings.driverMaxCharacters() > 0
                && characters(docs) <= settings.driverMaxCharacters();
        List<Dataset<Row>> intermediates = new ArrayList<>();
        if (!onDriver || index != null) {
            feats = Lineage.materialize(feats, settings.checkpoint());
            intermediates.add(feats);
            checkIds(feats);
        }
        Dataset<Row> nodesIn = feats;
        long matched = 0;
        if (index != null) {
            Dataset<Row> indexed = index.rows().select(col("id"), col("scope"), lit(0L).as("w"), lit(0L).as("n"),
                    lit(0).as("tier"), col("exact_hi").as("hi"), col("exact_lo").as("lo"), col("length").as("len"),
                    col("bands"), col("signature").as("sig"), col("shingles").as("sh"));
            checkNotIndexed(feats, indexed, index);
            Dataset<Row> matchedRows = Lineage.materialize(matchingIndexRows(indexed, feats), settings.checkpoint());
            intermediates.add(matchedRows);
            matched = matchedRows.count();
            nodesIn = feats.unionByName(matchedRows);
        }
        Decided decided = onDriver ? decideOnDriver(spark, nodesIn, settings, index == null)
                : decideOnSpark(nodesIn, settings, intermediates);
        Dataset<Row> decisions = decided.decisions();

        Row c = decisions.agg(count(lit(1)),
                sum(when(col(REASON).isNull(), 1L).otherwise(0L)),
                sum(when(col(REASON).equalTo(REASON_EXACT), 1L).otherwise(0L)),
                sum(when(col(REASON).equalTo(REASON_NEAR), 1L).otherwise(0L)),
                sum("is_cluster"), sum("no_sh"),
                sum(when(col(REASON).equalTo(REASON_EXACT).and(col("of_indexed")), 1L).otherwise(0L)),
                sum(when(col(REASON).equalTo(REASON_NEAR).and(col("of_indexed")), 1L).otherwise(0L))).first();
        DedupCounters counters = new DedupCounters(c.getLong(0), nz(c, 1), nz(c, 2), nz(c, 3), nz(c, 4), nz(c, 5),
                decided.candidateEdges(), decided.verifiedEdges(), decided.rounds(), onDriver);
        IndexCounters indexCounters = null;
        Dataset<Row> survivorSignatures = null;
        if (index != null) {
            indexCounters = new IndexCounters(index.segments().size(), index.rowCount(), matched, nz(c, 6), nz(c, 7));
            survivorSignatures = Lineage.materialize(survivorIndexRows(feats, decisions, index.storesShingles()),
                    settings.checkpoint());
        }
        intermediates.forEach(Lineage::free);

        Column docId = col("id").cast("string");
        Dataset<Row> keptDecisions = decisions.where(col(REASON).isNull()).select(col(JOIN_ID), col(CLUSTER_SIZE));
        Dataset<Row> removedDecisions = decisions.where(col(REASON).isNotNull())
                .select(col(JOIN_ID), col(REASON), col(DUPLICATE_OF));
        // Stale dedup columns of the input are replaced; its cluster_size went into the weights above.
        Dataset<Row> kept = docs.drop(CLUSTER_SIZE, REASON, DUPLICATE_OF)
                .join(keptDecisions, docId.equalTo(keptDecisions.col(JOIN_ID))).drop(JOIN_ID);
        Dataset<Row> removed = docs.drop(REASON, DUPLICATE_OF)
                .join(removedDecisions, docId.equalTo(removedDecisions.col(JOIN_ID))).drop(JOIN_ID);
        Dataset<Row> finalDecisions = decisions;
        Dataset<Row> finalSignatures = survivorSignatures;
        return new DedupResult(kept, removed, counters, () -> {
            Lineage.free(finalDecisions);
            Lineage.free(finalSignatures);
        }, indexCounters, survivorSignatures);
    }

    /** The decision table (see {@link #DECISIONS}) and the figures of the near-duplicate pass. */
    private record Decided(Dataset<Row> decisions, long candidateEdges, long verifiedEdges, int rounds) {
    }

    /** Columns of the decision table: one row per input row. */
    private static final StructType DECISIONS = new StructType()
            .add(JOIN_ID, DataTypes.StringType, false)
            .add(REASON, DataTypes.StringType, true)
            .add(DUPLICATE_OF, DataTypes.StringType, true)
            .add(CLUSTER_SIZE, DataTypes.IntegerType, true)
            .add("is_cluster", DataTypes.LongType, false)
            .add("no_sh", DataTypes.LongType, false)
            .add("of_indexed", DataTypes.BooleanType, false);

    /**
     * Steps 2-5 as Spark jobs: exact groups, LSH candidates, verification, connected components, survivors.
     * Every stored step is added to {@code intermediates} for the caller to free.
     */
    private static Decided decideOnSpark(Dataset<Row> nodesIn, DedupSettings settings,
                                         List<Dataset<Row>> intermediates) {
        Column rank = settings.survivor() == SurvivorRule.LONGEST_TEXT
                ? col("len").cast("long").multiply(-1L) : lit(0L);
        Dataset<Row> all = nodesIn.withColumn("rank", rank);
        Column survivorOrder = struct(col("tier"), col("rank"), col("id"));

        // 2. Exact groups: the survivor of each group is the minimum of (tier, rank, id); no group is ever listed.
        Dataset<Row> exact;
        if (settings.exactEnabled()) {
            Dataset<Row> groups = all.groupBy("scope", "hi", "lo")
                    .agg(min(survivorOrder).as("e"), sum("w").as("gw"), sum("n").as("gn"))
                    .select(col("scope").as("gs"), col("hi").as("ghi"), col("lo").as("glo"),
                            col("e.id").as("exact_of"), col("gw"), col("gn"));
            exact = all.join(groups, all.col("scope").eqNullSafe(groups.col("gs"))
                            .and(col("hi").equalTo(col("ghi"))).and(col("lo").equalTo(col("glo"))))
                    .select(col("id"), col("tier"), col("rank"), col("exact_of"), col("gw"), col("gn"), hasShingles(settings));
        } else {
            exact = all.select(col("id"), col("tier"), col("rank"), col("id").as("exact_of"), col("w").as("gw"),
                    col("n").as("gn"), hasShingles(settings));
        }
        exact = Lineage.materialize(exact, settings.checkpoint());
        intermediates.add(exact);
        Dataset<Row> survivors = exact.where(col("id").equalTo(col("exact_of")));

        // 3. Near duplicates among the exact survivors.
        long candidateCount = 0;
        long verifiedCount = 0;
        int rounds = 0;
        Dataset<Row> labels = null;
        if (settings.nearEnabled()) {
            Dataset<Row> nearInput = all.join(survivors.select(col("id").as("sid")),
                    col("id").equalTo(col("sid")), "left_semi").where(size(col("bands")).gt(0));
            // Candidates with their verdict, stored once: both counts come from one pass.
            Dataset<Row> candidates = Lineage.materialize(verify(candidateEdges(nearInput), nearInput, settings),
                    settings.checkpoint());
            intermediates.add(candidates);
            Row edgeCounts = candidates.agg(count(lit(1)), sum(when(col("ok"), 1L).otherwise(0L))).first();
            candidateCount = edgeCounts.getLong(0);
            verifiedCount = nz(edgeCounts, 1);
            Dataset<Row> verified = candidates.where(col("ok")).select("src", "dst");
            if (verifiedCount > 0) {
                ConnectedComponents.Labels cc = ConnectedComponents.run(verified, settings.maxIterations(),
                        settings.checkpoint());
                labels = cc.labels();
                rounds = cc.rounds();
                intermediates.add(cc.stored());
            }
        }

        // 4. One survivor per component: minimum of (tier, rank, id) over its exact survivors.
        Dataset<Row> nodes;
        if (labels == null) {
            nodes = survivors.withColumn("label", col("id"));
        } else {
            Dataset<Row> l = labels.select(col("id").as("lid"), col("label").as("lbl"));
            nodes = survivors.join(l, col("id").equalTo(col("lid")), "left")
                    .withColumn("label", coalesce(col("lbl"), col("id")));
        }
        Dataset<Row> clusters = nodes.groupBy("label")
                .agg(min(survivorOrder).as("s"), sum("gw").as("cw"), sum("gn").as("cn"))
                .select(col("label").as("cl"), col("s.id").as("keep_id"), col("s.tier").as("keep_tier"),
                        col("cw"), col("cn"));
        Dataset<Row> nodeKeep = nodes.join(clusters, col("label").equalTo(col("cl")))
                .select(col("id").as("eid"), col("keep_id"), col("keep_tier"), col("cw"), col("cn"));

        // 5. Decision per input row, stored so writing kept/removed recomputes nothing upstream.
        Column isKept = col("id").equalTo(col("keep_id"));
        Column ofIndexed = col("keep_tier").equalTo(0);
        Dataset<Row> decisions = exact.where(col("tier").equalTo(1))
                .join(nodeKeep, col("exact_of").equalTo(col("eid")))
                .select(col("id").as(JOIN_ID),
                        when(isKept, lit(null).cast("string"))
                                .when(col("id").notEqual(col("exact_of")), lit(REASON_EXACT))
                                .otherwise(lit(REASON_NEAR)).as(REASON),
                        when(isKept, lit(null).cast("string")).otherwise(col("keep_id")).as(DUPLICATE_OF),
                        when(isKept, col("cw").cast("int")).as(CLUSTER_SIZE),
                        when(isKept.and(col("cn").gt(1)), lit(1L)).otherwise(lit(0L)).as("is_cluster"),
                        when(col("id").equalTo(col("exact_of")).and(col("has_sh").equalTo(false)), lit(1L))
                                .otherwise(lit(0L)).as("no_sh"),
                        ofIndexed.as("of_indexed"));
        decisions = Lineage.materialize(decisions, settings.checkpoint());
        return new Decided(decisions, candidateCount, verifiedCount, rounds);
    }

    /**
     * Steps 2-5 on the driver ({@link DriverDedup}): the nodes are collected once (features computed by the
     * executors) and the decision table comes back as a local relation.
     */
    private static Decided decideOnDriver(SparkSession spark, Dataset<Row> nodesIn, DedupSettings settings,
                                          boolean checkIds) {
        List<DriverDedup.Node> nodes = nodesIn.javaRDD().map(DriverDedup.Node::of).collect();
        if (checkIds) {
            checkIds(nodes);
        }
        DriverDedup.Result r = DriverDedup.run(nodes, settings);
        List<Row> rows = new ArrayList<>(r.decisions().size());
        for (DriverDedup.Decision d : r.decisions()) {
            rows.add(RowFactory.create(d.id(), d.reason(), d.duplicateOf(), d.clusterSize(), d.cluster() ? 1L : 0L,
                    d.noShingles() ? 1L : 0L, d.ofIndexed()));
        }
        return new Decided(spark.createDataFrame(rows, DECISIONS), r.candidateEdges(), r.verifiedEdges(), 0);
    }

    /** Total characters of the input's texts (UTF-16 units; null counts as empty). */
    private static long characters(Dataset<Row> docs) {
        Row r = docs.agg(sum(coalesce(length(col("text").cast("string")), lit(0)).cast("long"))).first();
        return r.isNullAt(0) ? 0L : r.getLong(0);
    }

    /**
     * The indexed rows an input can meet: those sharing an exact key or an LSH bucket (scope, band, key) with
     * an input row. Only these take part in the run; the rest of the index is only scanned by the joins.
     */
    static Dataset<Row> matchingIndexRows(Dataset<Row> indexed, Dataset<Row> feats) {
        Dataset<Row> keys = feats.select(col("scope").as("ks"), col("hi").as("kh"), col("lo").as("kl")).distinct();
        Dataset<Row> byExact = indexed.join(keys, col("scope").eqNullSafe(col("ks"))
                        .and(col("hi").equalTo(col("kh"))).and(col("lo").equalTo(col("kl"))), "left_semi")
                .select(col("id").as("mid"));
        Dataset<Row> buckets = feats.select(col("scope").as("bs"), posexplode(col("bands")).as(new String[] {"bb", "bk"}))
                .distinct();
        Dataset<Row> byBand = indexed.select(col("id"), col("scope"), posexplode(col("bands")).as(new String[] {"band", "key"}))
                .join(buckets, col("scope").eqNullSafe(col("bs")).and(col("band").equalTo(col("bb")))
                        .and(col("key").equalTo(col("bk"))), "left_semi")
                .select(col("id").as("mid"));
        Dataset<Row> ids = byExact.union(byBand).distinct();
        return indexed.join(ids, col("id").equalTo(col("mid")), "left_semi");
    }

    /** Index rows ({@link SignatureIndex#SCHEMA}) of the kept input rows. */
    private static Dataset<Row> survivorIndexRows(Dataset<Row> feats, Dataset<Row> decisions, boolean withShingles) {
        Dataset<Row> keptIds = decisions.where(col(REASON).isNull()).select(col(JOIN_ID));
        return feats.join(keptIds, col("id").equalTo(col(JOIN_ID)), "left_semi")
                .select(col("id"), col("scope"), col("hi").as("exact_hi"), col("lo").as("exact_lo"),
                        col("len").as("length"), col("bands"), col("sig").as("signature"),
                        (withShingles ? col("sh") : lit(null).cast("array<bigint>")).as("shingles"));
    }

    /** An input id already in the index means this input (or part of it) was indexed by an earlier run. */
    private static void checkNotIndexed(Dataset<Row> feats, Dataset<Row> indexed, SignatureIndex index) {
        List<Row> clash = feats.select("id").join(indexed.select(col("id").as("iid")),
                col("id").equalTo(col("iid")), "left_semi").limit(1).collectAsList();
        if (!clash.isEmpty()) {
            throw ConfigError.forKey(IndexSettings.KEY_PATH, "input id '" + clash.get(0).getString(0)
                    + "' is already in the index at " + index.path() + ": this input was indexed by an earlier run "
                    + "into another output; rerun into that output with --overwrite to replace its segment");
        }
    }

    /**
     * LSH: every document is linked to the smallest id among the documents sharing one of its band keys
     * (within its scope). Buckets are reduced by a min-aggregation and joined back, so a bucket of any size
     * streams through the join without being held in memory.
     *
     * @param docs rows with id, scope and a non-empty bands array
     * @return distinct rows (src, dst), src != dst, dst the smallest id of a bucket src belongs to
     */
    static Dataset<Row> candidateEdges(Dataset<Row> docs) {
        Dataset<Row> buckets = docs.select(col("scope"), col("id"), col("tier"),
                posexplode(col("bands")).as(new String[] {"band", "key"}));
        // Buckets of indexed rows alone were settled by earlier runs: only buckets with an input row count.
        Dataset<Row> minima = buckets.groupBy("scope", "band", "key").agg(min("id").as("root"), max("tier").as("fresh"))
                .where(col("fresh").equalTo(1))
                .select(col("scope").as("ms"), col("band").as("mb"), col("key").as("mk"), col("root"));
        return buckets.join(minima, col("scope").eqNullSafe(col("ms")).and(col("band").equalTo(col("mb")))
                        .and(col("key").equalTo(col("mk"))))
                .where(col("id").notEqual(col("root")))
                .select(col("id").as("src"), col("root").as("dst"))
                .distinct();
    }

    /** Adds a boolean column {@code ok}: whether the pair's similarity reaches the threshold (always, when off). */
    static Dataset<Row> verify(Dataset<Row> candidates, Dataset<Row> docs, DedupSettings settings) {
        if (settings.verification() == Verification.OFF) {
            return candidates.withColumn("ok", lit(true));
        }
        boolean exact = settings.verification() == Verification.EXACT;
        Dataset<Row> a = docs.select(col("id").as("aid"), exact ? col("sh").as("sa") : lit(null).as("sa"), col("sig").as("ga"));
        Dataset<Row> b = docs.select(col("id").as("bid"), exact ? col("sh").as("sb") : lit(null).as("sb"), col("sig").as("gb"));
        // Shingle arrays are sorted and distinct, so these are set operations.
        Column jaccard = expr("size(array_intersect(sa, sb)) / size(array_union(sa, sb))");
        Column estimate = expr("aggregate(zip_with(ga, gb, (x, y) -> if(x = y, 1, 0)), 0, (acc, e) -> acc + e) / size(ga)");
        // An indexed row stored without its shingle set is compared on its signature instead.
        Column similarity = exact
                ? when(col("sa").isNotNull().and(col("sb").isNotNull()), jaccard).otherwise(estimate)
                : estimate;
        return candidates.join(a, col("src").equalTo(col("aid")))
                .join(b, col("dst").equalTo(col("bid")))
                .select(col("src"), col("dst"), coalesce(similarity.geq(lit(settings.threshold())), lit(false)).as("ok"));
    }

    /** Signature rows for storage (id, scope, band keys), the input of a later incremental run. */
    public static Dataset<Row> signatures(Dataset<Row> docs, DedupSettings settings) {
        DocumentFeatures features = new DocumentFeatures(settings.withVerification(Verification.OFF, settings.threshold()));
        UserDefinedFunction featuresUdf = udf((UDF1<String, Row>) features::compute, DocumentFeatures.SCHEMA)
                .asNondeterministic().asNonNullable();
        boolean scoped = !settings.scopeColumn().isEmpty();
        Column scope = scoped ? col(settings.scopeColumn()).cast("string") : lit(null).cast("string");
        return docs.select(col("id").cast("string").as("id"), scope.as("scope"),
                        featuresUdf.apply(col("text").cast("string")).as("f"))
                .select(col("id"), col("scope"), col("f.exact_hi").as("exact_hi"), col("f.exact_lo").as("exact_lo"),
                        col("f.bands").as("bands"));
    }

    private static Column hasShingles(DedupSettings settings) {
        return (settings.nearEnabled() ? size(col("bands")).gt(0) : lit(false)).as("has_sh");
    }

    private static void checkIds(Dataset<Row> feats) {
        List<Row> bad = feats.groupBy("id").count()
                .where(col("id").isNull().or(col("count").gt(1))).limit(1).collectAsList();
        if (!bad.isEmpty()) {
            throw badId(bad.get(0).getString(0), bad.get(0).getLong(1));
        }
    }

    /** The same check on the driver path's collected rows. */
    private static void checkIds(List<DriverDedup.Node> nodes) {
        java.util.Map<String, Long> counts = new java.util.HashMap<>();
        for (DriverDedup.Node x : nodes) {
            if (x.id() == null) {
                throw badId(null, 1);
            }
            counts.merge(x.id(), 1L, Long::sum);
        }
        for (DriverDedup.Node x : nodes) {
            if (counts.get(x.id()) > 1) {
                throw badId(x.id(), counts.get(x.id()));
            }
        }
    }

    private static IllegalArgumentException badId(String id, long times) {
        return new IllegalArgumentException(id == null
                ? "dedup input has rows with a null id"
                : "dedup input ids must be unique; id '" + id + "' occurs " + times + " times");
    }

    private static long nz(Row row, int i) {
        return row.isNullAt(i) ? 0L : row.getLong(i);
    }
}
