package ai.refinery.pipeline.funnel;

import ai.refinery.pipeline.doc.Document;
import ai.refinery.pipeline.filter.DocumentFilter;
import ai.refinery.pipeline.filter.Measures;
import ai.refinery.pipeline.filter.Outcome;
import ai.refinery.pipeline.read.RejectReasons;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FilterPipelineTest {

    /** Keeps documents, dropping every line that starts with "x". */
    static final class DropXLines implements DocumentFilter {
        @Override
        public String name() {
            return "drop_x";
        }

        @Override
        public Outcome apply(Document d) {
            String kept = String.join("\n", d.text().lines().filter(l -> !l.startsWith("x")).toList());
            return Outcome.keep(kept.equals(d.text()) ? d : d.withText(kept));
        }
    }

    /** Rejects documents shorter than {@code min} characters. */
    record MinChars(int min) implements DocumentFilter {
        @Override
        public String name() {
            return "min_chars";
        }

        @Override
        public Outcome apply(Document d) {
            return d.text().length() >= min ? Outcome.keep(d) : Outcome.reject(d, "too_short", d.text().length() + " < " + min);
        }
    }

    /** Measures the length and rejects documents shorter than {@code min} characters. */
    record MeasuredMinChars(int min) implements DocumentFilter {
        @Override
        public String name() {
            return "measured";
        }

        @Override
        public Outcome apply(Document d) {
            Measures measures = new Measures().put("chars", d.text().length());
            return d.text().length() >= min ? measures.keep(d) : measures.reject(d, "too_short", "short");
        }
    }

    static final class Explodes implements DocumentFilter {
        @Override
        public String name() {
            return "explodes";
        }

        @Override
        public Outcome apply(Document d) {
            throw new IllegalStateException("boom");
        }
    }

    static Document doc(String text) {
        return Document.of("id-" + text.hashCode(), text, null, "file:/in.txt", "text", "file", null);
    }

    @Test
    void keptDocumentCarriesTheSizeAfterEveryStage() {
        FilterPipeline p = new FilterPipeline(List.of(new DropXLines(), new MinChars(3)));
        TracedOutcome t = p.run(Outcome.keep(doc("abc\nxé\ndé")));
        assertTrue(t.kept());
        assertNull(t.rejectingStage());
        assertEquals("abc\ndé", t.outcome().document().text());
        assertArrayEquals(new int[] {9, 6, 6}, t.charsAfter());
        assertArrayEquals(new int[] {11, 7, 7}, t.bytesAfter());
        assertEquals(List.of("read", "drop_x", "min_chars"), p.stageNames());
    }

    @Test
    void stopsAtTheFirstRejection() {
        FilterPipeline p = new FilterPipeline(List.of(new DropXLines(), new MinChars(5), new Explodes()));
        TracedOutcome t = p.run(Outcome.keep(doc("ab\nxxxxxx")));
        assertFalse(t.kept());
        assertEquals("min_chars", t.rejectingStage());
        assertEquals("too_short", t.outcome().reason());
        assertEquals("2 < 5", t.outcome().detail());
        assertEquals("ab", t.outcome().document().text(), "a rejection shows the text the stage saw");
        assertArrayEquals(new int[] {9, 2}, t.charsAfter());
    }

    @Test
    void aStageThatThrowsRejectsTheDocumentInsteadOfFailingTheJob() {
        FilterPipeline p = new FilterPipeline(List.of(new Explodes()));
        TracedOutcome t = p.run(Outcome.keep(doc("hello")));
        assertEquals("explodes", t.rejectingStage());
        assertEquals(FilterPipeline.STAGE_ERROR, t.outcome().reason());
        assertTrue(t.outcome().detail().contains("boom"));
    }

    @Test
    void readRejectionsPassThrough() {
        FilterPipeline p = new FilterPipeline(List.of(new MinChars(1)));
        TracedOutcome t = p.run(Outcome.reject(doc(""), RejectReasons.NOT_TEXT, "image/png"));
        assertEquals(RejectReasons.STAGE, t.rejectingStage());
        assertEquals(0, t.charsAfter().length);
    }

    @Test
    void utf8LengthMatchesTheEncoder() {
        for (String s : List.of("", "abc", "é", "日本語", "😀x", "a\uD800b")) {
            assertEquals(s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length, FilterPipeline.utf8Length(s), s);
        }
    }

    @Test
    void funnelAddsUpByHand() {
        FilterPipeline p = new FilterPipeline(List.of(new DropXLines(), new MinChars(3)));
        FunnelStats a = new FunnelStats(p.stageNames());
        FunnelStats b = new FunnelStats(p.stageNames());
        for (String text : List.of("abcd", "ab\nxyz")) {
            TracedOutcome t = p.run(Outcome.keep(doc(text)));
            a.add(t.rejectingStage(), t.outcome().reason(), null, t.charsAfter(), t.bytesAfter());
        }
        TracedOutcome unreadable = p.run(Outcome.reject(doc(""), RejectReasons.UNREADABLE, "bad gzip"));
        b.add(unreadable.rejectingStage(), unreadable.outcome().reason(), null, unreadable.charsAfter(), unreadable.bytesAfter());
        FunnelStats total = a.merge(b);

        assertEquals(3, total.documentsIn());
        assertEquals(1, total.documentsKept());
        assertEquals(2, total.documentsRejected());
        assertEquals(total.documentsIn(), total.documentsKept() + total.documentsRejected());
        assertEquals(1, total.rejected("read", "unreadable"));
        assertEquals(1, total.rejected("min_chars", "too_short"));

        @SuppressWarnings("unchecked")
        List<Map<String, Object>> stages = (List<Map<String, Object>>) total.toMap().get("stages");
        Map<String, Object> dropX = stages.get(1);
        assertEquals(2L, dropX.get("documents_in"));
        assertEquals(10L, dropX.get("chars_in"));   // "abcd" + "ab\nxyz"
        assertEquals(6L, dropX.get("chars_out"));   // "abcd" + "ab"
        Map<String, Object> minChars = stages.get(2);
        assertEquals(2L, minChars.get("documents_in"));
        assertEquals(1L, minChars.get("documents_out"));
        assertEquals(4L, minChars.get("chars_out"));
    }

    @Test
    void languagesAreCountedFromTheLanguageStage() {
        List<String> stages = List.of("read", "url", "language", "quality");
        FunnelStats f = new FunnelStats(stages);
        f.add(null, null, "en", new int[] {10, 10, 10, 8}, new int[] {10, 10, 10, 8});
        f.add("language", "language_not_kept", "fr", new int[] {7, 7}, new int[] {7, 7});
        f.add("quality", "too_few_words", "en", new int[] {5, 5, 5}, new int[] {5, 5, 5});
        f.add("url", "blocked_domain", null, new int[] {3}, new int[] {3});
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> langs = (Map<String, Map<String, Object>>) f.toMap().get("languages");
        assertEquals(2L, langs.get("en").get("documents_in"));
        assertEquals(1L, langs.get("en").get("documents_out"));
        assertEquals(15L, langs.get("en").get("chars_in"));
        assertEquals(8L, langs.get("en").get("chars_out"));
        assertEquals(Map.of("quality", 1L), langs.get("en").get("rejected_by_stage"));
        assertEquals(1L, langs.get("fr").get("documents_in"));
        assertEquals(0L, langs.get("fr").get("documents_out"));
        assertEquals(2, langs.size());
    }

    @Test
    void measuresAreRecordedOnlyWhenAsked() {
        Document kept = new FilterPipeline(List.of(new MeasuredMinChars(2))).run(Outcome.keep(doc("abc"))).outcome().document();
        assertEquals(Map.of(), kept.scores());
        FilterPipeline recording = new FilterPipeline(List.of(new DropXLines(), new MeasuredMinChars(2)),
                new ScoreSettings(true, Set.of()));
        TracedOutcome t = recording.run(Outcome.keep(doc("abc\nxyz")));
        assertTrue(t.kept());
        assertEquals(Map.of("measured.chars", 3.0), t.outcome().document().scores(), "measured after drop_x cut a line");
        TracedOutcome rejected = recording.run(Outcome.keep(doc("a")));
        assertEquals("too_short", rejected.outcome().reason());
        assertEquals(Map.of("measured.chars", 1.0), rejected.outcome().document().scores(), "a rejection keeps its measure");
    }

    @Test
    void aScoreOnlyStageRecordsItsVerdictAndNeverRejects() {
        FilterPipeline p = new FilterPipeline(List.of(new MeasuredMinChars(5), new DropXLines(), new MinChars(1)),
                new ScoreSettings(false, Set.of("measured", "drop_x")));
        TracedOutcome t = p.run(Outcome.keep(doc("ab\nxy")));
        assertTrue(t.kept(), "score-only stages do not reject");
        Document d = t.outcome().document();
        assertEquals("ab\nxy", d.text(), "a score-only stage leaves the text as it was");
        assertEquals(Map.of("measured.chars", 5.0, "measured.kept", 1.0, "drop_x.kept", 1.0), d.scores());
        TracedOutcome shortDoc = p.run(Outcome.keep(doc("ab")));
        assertTrue(shortDoc.kept());
        assertEquals(0.0, shortDoc.outcome().document().scores().get("measured.kept"));
        assertArrayEquals(new int[] {2, 2, 2, 2}, shortDoc.charsAfter(), "every stage passed the document on");
    }

    @Test
    void aScoreOnlyStageThatThrowsStillRejects() {
        FilterPipeline p = new FilterPipeline(List.of(new Explodes()), new ScoreSettings(true, Set.of("explodes")));
        TracedOutcome t = p.run(Outcome.keep(doc("hello")));
        assertEquals(FilterPipeline.STAGE_ERROR, t.outcome().reason(), "errors are never hidden as scores");
    }
}
