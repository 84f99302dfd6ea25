package ai.refinery.training.pack;

import ai.refinery.training.Corpora;
import ai.refinery.training.SparkTestSession;
import ai.refinery.training.tokenizer.BpeTokenizer;
import ai.refinery.training.tokenizer.SpecialTokens;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PackerTest {
    /** No merges: one token per UTF-8 byte, so token counts are computed by hand. */
    private static final BpeTokenizer BYTES = BpeTokenizer.fromMerges(List.of());
    private static final StructType DOCS = new StructType()
            .add("id", DataTypes.StringType).add("text", DataTypes.StringType);

    private static Dataset<Row> docs(SparkSession spark, List<String[]> rows, int partitions) {
        List<Row> r = new ArrayList<>();
        for (String[] x : rows) {
            r.add(RowFactory.create(x[0], x[1]));
        }
        return spark.createDataFrame(r, DOCS).repartition(partitions);
    }

    private static List<Row> sorted(Dataset<Row> windows) {
        List<Row> rows = new ArrayList<>(windows.collectAsList());
        rows.sort(Comparator.comparingLong(r -> r.getLong(0)));
        return rows;
    }

    @Test
    void countsMatchAHandComputation() {
        SparkSession spark = SparkTestSession.get();
        // Byte tokens + one separator each: 4 + 6 + 3 + 11 = 24 tokens; one empty and one null document.
        List<String[]> rows = List.of(new String[] {"a", "abc"}, new String[] {"b", "hello"},
                new String[] {"c", "xy"}, new String[] {"d", "0123456789"}, new String[] {"e", ""},
                new String[] {"f", null});
        PackSettings s = PackSettings.defaults().withContextLength(4).withValidationFraction(0).withPlannedEpochs(5);
        PackResult r = Packer.run(spark, docs(spark, rows, 2), BYTES, s);
        PackStats st = r.stats();
        assertEquals(6, st.documents());
        assertEquals(2, st.emptyDocuments());
        assertEquals(4, st.trainDocuments());
        assertEquals(24, st.trainTokens());
        assertEquals(5, st.trainWindows()); // floor((24 - 1) / 4)
        assertEquals(3, st.trainDroppedTokens()); // 24 - (5 * 4 + 1)
        assertEquals(20, st.tokensPerEpoch());
        assertEquals(20 * (1 + 15.4 * (1 - Math.exp(-4 / 15.4))), st.effectiveTokens(), 1e-9);
        assertTrue(st.repetitionWarning());

        List<Row> windows = sorted(r.windows());
        assertEquals(5, windows.size());
        // Reassemble the stream from the windows (in stream order, sharing one token) and check it is the
        // documents, each followed by the separator, in some order.
        windows.sort(Comparator.comparingLong(w -> w.getLong(2)));
        List<Integer> stream = new ArrayList<>();
        for (int i = 0; i < windows.size(); i++) {
            Row w = windows.get(i);
            assertEquals(i, w.getLong(2) / 4);
            assertEquals("train", w.getString(1));
            List<Integer> tokens = w.getList(3);
            assertEquals(5, tokens.size());
            if (i > 0) {
                assertEquals(stream.get(stream.size() - 1), tokens.get(0));
            }
            stream.addAll(i == 0 ? tokens : tokens.subList(1, 5));
        }
        List<String> texts = new ArrayList<>(decodeDocs(stream));
        // 21 of 24 tokens survive: the last document's tail (3 tokens) is dropped.
        assertEquals(21, stream.size());
        String last = texts.remove(texts.size() - 1);
        assertEquals(3, texts.size());
        List<String> all = new ArrayList<>(List.of("abc", "hello", "xy", "0123456789"));
        assertTrue(all.containsAll(texts));
        all.removeAll(texts);
        assertTrue(all.get(0).startsWith(last) && all.get(0).length() == last.length() + 2, last);
        r.release();
    }

    private static List<String> decodeDocs(List<Integer> stream) {
        List<String> out = new ArrayList<>();
        List<Integer> cur = new ArrayList<>();
        for (int id : stream) {
            if (id == SpecialTokens.END_OF_TEXT_ID) {
                out.add(BYTES.decode(cur.stream().mapToInt(Integer::intValue).toArray()));
                cur.clear();
            } else {
                cur.add(id);
            }
        }
        out.add(BYTES.decode(cur.stream().mapToInt(Integer::intValue).toArray()));
        return out;
    }

    @Test
    void sameOutputForOneAndFourPartitionsAndSplitsAreDisjoint() throws Exception {
        SparkSession spark = SparkTestSession.get();
        List<String> lines = Corpora.languageTestLines();
        List<String[]> rows = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            rows.add(new String[] {"doc-" + i, lines.get(i)});
        }
        PackSettings s = PackSettings.defaults().withContextLength(64).withValidationFraction(0.1);
        PackResult one = Packer.run(spark, docs(spark, rows, 1), BYTES, s);
        PackResult four = Packer.run(spark, docs(spark, rows, 4), BYTES, s);
        assertEquals(one.stats(), four.stats());
        List<Row> a = sorted(one.windows());
        List<Row> b = sorted(four.windows());
        assertEquals(a, b);
        assertEquals(one.stats().windows(), a.size());

        PackStats st = one.stats();
        assertEquals(lines.size(), st.documents());
        assertEquals(Math.round(lines.size() * 0.1), st.validationDocuments());
        long bytes = lines.stream().mapToLong(l -> l.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 1).sum();
        assertEquals(bytes, st.tokens());
        assertEquals((st.trainTokens() - 1) / 64, st.trainWindows());
        assertEquals((st.validationTokens() - 1) / 64, st.validationWindows());
        assertEquals(st.validationWindows(), one.validation().count());

        // Whole documents go to one split: no line is in both streams.
        Map<String, String> splitOf = new HashMap<>();
        for (Row w : a) {
            List<Integer> t = w.getList(3);
            String text = BYTES.decode(t.stream().mapToInt(Integer::intValue).toArray());
            for (String piece : text.split("<\\|endoftext\\|>")) {
                if (piece.length() > 70) { // a whole line inside one window identifies its document
                    String before = splitOf.put(piece, w.getString(1));
                    assertTrue(before == null || before.equals(w.getString(1)), piece);
                }
            }
        }
        // A different seed gives a different order.
        PackResult other = Packer.run(spark, docs(spark, rows, 2), BYTES, s.withSeed(7));
        assertFalse(sorted(other.windows()).equals(a));
        one.release();
        four.release();
        other.release();
    }

    @Test
    void documentsThatLookLikeSpecialTokensStayText() {
        SparkSession spark = SparkTestSession.get();
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"a", "x<|endoftext|>y"});
        PackResult r = Packer.run(spark, docs(spark, rows, 1), BYTES,
                PackSettings.defaults().withContextLength(15).withValidationFraction(0));
        List<Row> w = r.windows().collectAsList();
        assertEquals(1, w.size());
        List<Integer> t = w.get(0).getList(3);
        assertEquals(16, t.size()); // 15 bytes + separator
        assertEquals(1, t.stream().filter(id -> id == SpecialTokens.END_OF_TEXT_ID).count());
        assertEquals(Arrays.asList(SpecialTokens.END_OF_TEXT_ID), t.subList(15, 16));
        r.release();
    }
}
