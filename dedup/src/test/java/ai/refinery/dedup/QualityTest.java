package ai.refinery.dedup;

import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Quality on real text: 100-word passages of Europarl (Tika's language-detection test files, ten languages),
 * each with one copy edited at a planted rate (substituted, deleted and inserted words). The truth is the
 * exact Jaccard similarity of every pair of documents, computed by brute force.
 */
class QualityTest {
    private static final int WORDS = 100;
    private static final String[] LANGUAGES = {"en", "fr", "de", "es", "it", "nl", "pt", "da", "sv", "fi"};

    private static List<String> ids;
    private static List<String> texts;
    private static long[][] shingles;
    /** Exact Jaccard of pair (i, j), i < j, at index pairIndex(i, j). */
    private static double[] jaccard;

    @BeforeAll
    static void plantCopies() throws IOException {
        Path dir = Path.of(System.getProperty("refinery.corpora", "target/corpora"),
                "langid/org/apache/tika/langdetect/language-tests");
        SplittableRandom random = new SplittableRandom(2024);
        ids = new ArrayList<>();
        texts = new ArrayList<>();
        for (String lang : LANGUAGES) {
            List<String> words = Arrays.asList(Files.readString(dir.resolve(lang + ".test"), StandardCharsets.UTF_8)
                    .trim().split("\\s+"));
            for (int start = 0, n = 0; start + WORDS <= words.size(); start += WORDS, n++) {
                List<String> original = words.subList(start, start + WORDS);
                // 1..7 edits: exact Jaccard of word 5-grams from ~0.45 to ~0.95.
                List<String> copy = edit(original, 1 + random.nextInt(7), words, random);
                ids.add(String.format("%s-%03d-a", lang, n));
                texts.add(String.join(" ", original));
                ids.add(String.format("%s-%03d-b", lang, n));
                texts.add(String.join(" ", copy));
            }
        }
        Shingler shingler = DedupSettings.defaults().shingler();
        int n = texts.size();
        shingles = new long[n][];
        for (int i = 0; i < n; i++) {
            shingles[i] = shingler.shingles(TextNormalizer.normalize(texts.get(i)));
        }
        jaccard = new double[n * (n - 1) / 2];
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                jaccard[pairIndex(i, j, n)] = Shingler.jaccard(shingles[i], shingles[j]);
            }
        }
    }

    private static List<String> edit(List<String> original, int edits, List<String> pool, SplittableRandom random) {
        List<String> copy = new ArrayList<>(original);
        for (int e = 0; e < edits; e++) {
            int at = random.nextInt(copy.size());
            String replacement = pool.get(random.nextInt(pool.size()));
            switch (random.nextInt(3)) {
                case 0 -> copy.set(at, replacement + "x");
                case 1 -> copy.remove(at);
                default -> copy.add(at, replacement + "x");
            }
        }
        return copy;
    }

    private static int pairIndex(int i, int j, int n) {
        return i * (2 * n - i - 1) / 2 + (j - i - 1);
    }

    /** Cluster label of every document from a Spark run: its own id when kept, duplicate_of when removed. */
    private static int[] sparkClusters(DedupSettings settings) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            rows.add(org.apache.spark.sql.RowFactory.create(ids.get(i), texts.get(i), null));
        }
        DedupResult result = DedupJob.run(SparkTestSupport.spark(),
                SparkTestSupport.spark().createDataFrame(rows, SparkTestSupport.DOCS).repartition(3), settings);
        Map<String, String> label = SparkTestSupport.clusterLabels(result);
        assertEquals(ids.size(), label.size());
        Map<String, Integer> index = new HashMap<>();
        int[] cluster = new int[ids.size()];
        for (int i = 0; i < ids.size(); i++) {
            cluster[i] = index.computeIfAbsent(label.get(ids.get(i)), k -> index.size());
        }
        return cluster;
    }

    /** Reference model of LSH without verification: union of every pair sharing a band key. */
    private static int[] lshClusters(MinHasher hasher, boolean[] directCollision) {
        int n = ids.size();
        int[] parent = new int[n];
        for (int i = 0; i < n; i++) {
            parent[i] = i;
        }
        Map<String, List<Integer>> buckets = new HashMap<>();
        for (int i = 0; i < n; i++) {
            long[] keys = hasher.bandKeys(hasher.signature(shingles[i]));
            for (int b = 0; b < keys.length; b++) {
                buckets.computeIfAbsent(b + ":" + keys[b], k -> new ArrayList<>()).add(i);
            }
        }
        for (List<Integer> bucket : buckets.values()) {
            for (int x = 0; x < bucket.size(); x++) {
                for (int y = x + 1; y < bucket.size(); y++) {
                    int i = Math.min(bucket.get(x), bucket.get(y));
                    int j = Math.max(bucket.get(x), bucket.get(y));
                    if (directCollision != null) {
                        directCollision[pairIndex(i, j, n)] = true;
                    }
                    parent[find(parent, i)] = find(parent, j);
                }
            }
        }
        int[] root = new int[n];
        for (int i = 0; i < n; i++) {
            root[i] = find(parent, i);
        }
        return root;
    }

    private static int find(int[] parent, int x) {
        while (parent[x] != x) {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        return x;
    }

    @Test
    void withoutVerificationGroupingFollowsTheBandingCurve() {
        int n = ids.size();
        double[] edges = {0.0, 0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0001};
        int bandsOfS = edges.length - 1;
        long[] trials = new long[bandsOfS];
        long[] grouped = new long[bandsOfS];
        double[] predicted = new double[bandsOfS];
        // Many MinHash seeds over the same real pairs: each seed is an independent trial of every pair.
        int seeds = 12;
        for (int seed = 1; seed <= seeds; seed++) {
            MinHasher hasher = new MinHasher(14, 8, seed);
            boolean[] direct = new boolean[jaccard.length];
            lshClusters(hasher, direct);
            for (int p = 0; p < jaccard.length; p++) {
                double s = jaccard[p];
                int band = 0;
                while (s >= edges[band + 1]) {
                    band++;
                }
                trials[band]++;
                if (direct[p]) {
                    grouped[band]++;
                }
                predicted[band] += MinHasher.collisionProbability(s, 14, 8);
            }
        }
        StringBuilder report = new StringBuilder("pairs=" + jaccard.length + " docs=" + n + "\n");
        for (int b = 0; b < bandsOfS; b++) {
            if (trials[b] == 0) {
                continue;
            }
            double observed = (double) grouped[b] / trials[b];
            double expected = predicted[b] / trials[b];
            report.append(String.format("s in [%.1f, %.1f): trials %d observed %.3f expected %.3f%n",
                    edges[b], Math.min(1.0, edges[b + 1]), trials[b], observed, expected));
        }
        System.out.print(report);
        for (int b = 0; b < bandsOfS; b++) {
            if (trials[b] >= 300) {
                double observed = (double) grouped[b] / trials[b];
                double expected = predicted[b] / trials[b];
                assertTrue(Math.abs(observed - expected) <= 0.05, report.toString());
            }
        }
        // The steep part of the curve must actually be populated by the planted copies.
        assertTrue(trials[3] >= 300 && trials[4] >= 300 && trials[5] >= 300, report.toString());

        // The Spark job (verification off, seed 1) groups exactly as the reference model of LSH does.
        int[] expectedClusters = lshClusters(new MinHasher(14, 8, 1), null);
        int[] actualClusters = sparkClusters(DedupSettings.defaults().withVerification(Verification.OFF, 0.8));
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                assertEquals(expectedClusters[i] == expectedClusters[j], actualClusters[i] == actualClusters[j],
                        ids.get(i) + " / " + ids.get(j));
            }
        }
    }

    private static double[] precisionRecall(int[] cluster, double threshold) {
        int n = ids.size();
        PairCounts pairs = new PairCounts();
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                pairs.add(jaccard[pairIndex(i, j, n)] >= threshold, cluster[i] == cluster[j]);
            }
        }
        return new double[] {pairs.precision(), pairs.recall(), pairs.similar()};
    }

    @Test
    void withVerificationPrecisionAndRecallAtTheThreshold() {
        double threshold = 0.8;
        double[] exact = precisionRecall(
                sparkClusters(DedupSettings.defaults().withVerification(Verification.EXACT, threshold)), threshold);
        double[] estimated = precisionRecall(
                sparkClusters(DedupSettings.defaults().withVerification(Verification.ESTIMATED, threshold)), threshold);
        double[] off = precisionRecall(
                sparkClusters(DedupSettings.defaults().withVerification(Verification.OFF, threshold)), threshold);
        System.out.printf("threshold %.2f, %d similar pairs: exact P %.4f R %.4f; estimated P %.4f R %.4f; off P %.4f R %.4f%n",
                threshold, (long) exact[2], exact[0], exact[1], estimated[0], estimated[1], off[0], off[1]);
        assertTrue(exact[2] >= 100, "too few similar pairs planted");
        assertTrue(exact[0] >= 0.98, "precision " + exact[0]);
        assertTrue(exact[1] >= 0.9, "recall " + exact[1]);
        // Verification is what buys precision: without it, pairs below the threshold are grouped too.
        assertTrue(off[0] < exact[0] && estimated[0] > off[0], "estimated " + estimated[0] + " off " + off[0]);
    }
}
