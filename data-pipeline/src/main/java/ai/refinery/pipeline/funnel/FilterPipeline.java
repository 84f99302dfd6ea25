package ai.refinery.pipeline.funnel;

import ai.refinery.pipeline.doc.Document;
import ai.refinery.pipeline.filter.DocumentFilter;
import ai.refinery.pipeline.filter.Outcome;
import ai.refinery.pipeline.read.RejectReasons;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs one document through the configured stages in order, stopping at the first rejection. A stage that
 * throws on a document rejects that document (reason {@code error}) instead of failing the job: one odd record
 * must never crash a crawl-sized run. What the stages measured goes into the document's scores as
 * {@code <stage>.<measure>} where {@link ScoreSettings} asks for it; a score-only stage never rejects.
 */
public final class FilterPipeline implements Serializable {
    public static final String STAGE_ERROR = "error";

    private final List<DocumentFilter> stages;
    private final ScoreSettings scores;

    public FilterPipeline(List<DocumentFilter> stages) {
        this(stages, ScoreSettings.NONE);
    }

    public FilterPipeline(List<DocumentFilter> stages, ScoreSettings scores) {
        this.stages = List.copyOf(stages);
        this.scores = scores;
    }

    /** Stage names in order, starting with the read stage. */
    public List<String> stageNames() {
        List<String> names = new ArrayList<>();
        names.add(RejectReasons.STAGE);
        stages.forEach(s -> names.add(s.name()));
        return names;
    }

    /** @param read what the read stage made of the record (a document, or a read rejection) */
    public TracedOutcome run(Outcome read) {
        int[] chars = new int[stages.size() + 1];
        int[] bytes = new int[stages.size() + 1];
        if (!read.kept()) {
            return new TracedOutcome(read, RejectReasons.STAGE, new int[0], new int[0]);
        }
        Document current = read.document();
        chars[0] = current.text().length();
        bytes[0] = utf8Length(current.text());
        int passed = 1;
        for (DocumentFilter stage : stages) {
            Outcome outcome;
            try {
                outcome = stage.apply(current);
            } catch (RuntimeException | StackOverflowError e) {
                outcome = Outcome.reject(current, STAGE_ERROR, e.getClass().getSimpleName() + ": " + e.getMessage());
            }
            boolean failed = STAGE_ERROR.equals(outcome.reason());
            if (scores.scoreOnly().contains(stage.name()) && !failed) {
                Map<String, Double> recorded = recorded(stage.name(), outcome);
                recorded.put(stage.name() + ".kept", outcome.kept() ? 1.0 : 0.0);
                current = current.withScores(recorded);
                chars[passed] = chars[passed - 1];
                bytes[passed] = bytes[passed - 1];
                passed++;
                continue;
            }
            if (!outcome.kept()) {
                if (!failed && scores.records(stage.name())) {
                    outcome = Outcome.reject(outcome.document().withScores(recorded(stage.name(), outcome)),
                            outcome.reason(), outcome.detail());
                }
                return new TracedOutcome(outcome, stage.name(), trim(chars, passed), trim(bytes, passed));
            }
            Document next = outcome.document();
            if (scores.records(stage.name())) {
                next = next.withScores(recorded(stage.name(), outcome));
            }
            // Most stages only judge; recount only when the text really changed.
            if (next.text() != current.text()) {
                chars[passed] = next.text().length();
                bytes[passed] = utf8Length(next.text());
            } else {
                chars[passed] = chars[passed - 1];
                bytes[passed] = bytes[passed - 1];
            }
            current = next;
            passed++;
        }
        return new TracedOutcome(Outcome.keep(current), null, chars, bytes);
    }

    private static Map<String, Double> recorded(String stage, Outcome outcome) {
        Map<String, Double> prefixed = new LinkedHashMap<>();
        outcome.measures().forEach((name, value) -> prefixed.put(stage + "." + name, value));
        return prefixed;
    }

    private static int[] trim(int[] values, int length) {
        int[] copy = new int[length];
        System.arraycopy(values, 0, copy, 0, length);
        return copy;
    }

    /** UTF-8 length as Java's encoder writes it, without encoding the string. */
    public static int utf8Length(CharSequence s) {
        int count = 0;
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                count++;
            } else if (c < 0x800) {
                count += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                count += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                count++; // an unpaired surrogate is written as '?'
            } else {
                count += 3;
            }
        }
        return count;
    }
}
