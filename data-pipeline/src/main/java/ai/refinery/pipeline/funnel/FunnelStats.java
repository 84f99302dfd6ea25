package ai.refinery.pipeline.funnel;

import ai.refinery.core.outcome.Counts;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The filtering funnel: documents, characters and UTF-8 bytes into and out of each stage, rejections per stage
 * and reason, and the same per detected language. Built per partition and merged, so it is exact under
 * retries (it is computed by an aggregation, not by accumulators). Plain Java; rendered into stats.json.
 */
public final class FunnelStats implements Serializable {
    private final List<String> stages;
    private final int languageStage;
    private final long[] docsIn;
    private final long[] charsIn;
    private final long[] bytesIn;
    private final long[] docsOut;
    private final long[] charsOut;
    private final long[] bytesOut;
    /** stage -> reason -> {documents, chars, bytes} */
    private final Map<String, Map<String, long[]>> rejected = new TreeMap<>();
    /** language -> counters, see {@link LanguageCounts} */
    private final Map<String, LanguageCounts> languages = new TreeMap<>();

    /** @param stages stage names in order, the read stage first (see {@link FilterPipeline#stageNames()}) */
    public FunnelStats(List<String> stages) {
        this.stages = List.copyOf(stages);
        this.languageStage = this.stages.indexOf("language");
        int n = stages.size();
        docsIn = new long[n];
        charsIn = new long[n];
        bytesIn = new long[n];
        docsOut = new long[n];
        charsOut = new long[n];
        bytesOut = new long[n];
    }

    /**
     * Counts one document.
     *
     * @param rejectingStage the stage that rejected it, or null when kept
     * @param reason         the rejection reason, or null when kept
     * @param lang           the detected language, or null when the document never reached language ID
     * @param charsAfter     characters after each stage passed (see {@link TracedOutcome})
     * @param bytesAfter     bytes after each stage passed
     */
    public void add(String rejectingStage, String reason, String lang, int[] charsAfter, int[] bytesAfter) {
        int passed = charsAfter.length;
        docsIn[0]++;
        for (int i = 0; i < passed; i++) {
            docsOut[i]++;
            charsOut[i] += charsAfter[i];
            bytesOut[i] += bytesAfter[i];
            if (i + 1 < stages.size()) {
                docsIn[i + 1]++;
                charsIn[i + 1] += charsAfter[i];
                bytesIn[i + 1] += bytesAfter[i];
            }
        }
        long chars = passed == 0 ? 0 : charsAfter[passed - 1];
        long bytes = passed == 0 ? 0 : bytesAfter[passed - 1];
        if (rejectingStage != null) {
            long[] counts = rejected.computeIfAbsent(rejectingStage, s -> new TreeMap<>())
                    .computeIfAbsent(reason, r -> new long[3]);
            counts[0]++;
            counts[1] += chars;
            counts[2] += bytes;
        }
        if (lang != null && languageStage > 0 && passed >= languageStage) {
            LanguageCounts counts = languages.computeIfAbsent(lang, l -> new LanguageCounts());
            counts.docsIn++;
            counts.charsIn += charsAfter[languageStage - 1];
            counts.bytesIn += bytesAfter[languageStage - 1];
            if (rejectingStage == null) {
                counts.docsOut++;
                counts.charsOut += chars;
                counts.bytesOut += bytes;
            } else {
                counts.rejectedByStage.merge(rejectingStage, 1L, Long::sum);
            }
        }
    }

    /** The raw size of the input, known from the file listing rather than from the records. */
    public void setInputBytes(long bytes) {
        bytesIn[0] = bytes;
    }

    public FunnelStats merge(FunnelStats other) {
        if (!stages.equals(other.stages)) {
            throw new IllegalArgumentException("cannot merge funnels of different stages");
        }
        for (int i = 0; i < stages.size(); i++) {
            docsIn[i] += other.docsIn[i];
            charsIn[i] += other.charsIn[i];
            bytesIn[i] += other.bytesIn[i];
            docsOut[i] += other.docsOut[i];
            charsOut[i] += other.charsOut[i];
            bytesOut[i] += other.bytesOut[i];
        }
        other.rejected.forEach((stage, reasons) -> reasons.forEach((reason, counts) -> {
            long[] mine = rejected.computeIfAbsent(stage, s -> new TreeMap<>()).computeIfAbsent(reason, r -> new long[3]);
            for (int k = 0; k < 3; k++) {
                mine[k] += counts[k];
            }
        }));
        other.languages.forEach((lang, counts) -> languages.computeIfAbsent(lang, l -> new LanguageCounts()).add(counts));
        return this;
    }

    public long documentsIn() {
        return docsIn[0];
    }

    /** Documents that passed every stage. */
    public long documentsKept() {
        return docsOut[stages.size() - 1];
    }

    public long documentsRejected() {
        long total = 0;
        for (Map<String, long[]> reasons : rejected.values()) {
            for (long[] counts : reasons.values()) {
                total += counts[0];
            }
        }
        return total;
    }

    /** Rejections of one stage and reason (0 when none). */
    public long rejected(String stage, String reason) {
        long[] counts = rejected.getOrDefault(stage, Map.of()).get(reason);
        return counts == null ? 0 : counts[0];
    }

    /** The common counts: documents in, kept (rows_out) and rejected by stage and reason. */
    public Counts counts() {
        Map<String, Map<String, Long>> byStage = new TreeMap<>();
        rejected.forEach((stage, reasons) -> reasons.forEach((reason, c) ->
                byStage.computeIfAbsent(stage, s -> new TreeMap<>()).put(reason, c[0])));
        return Counts.of(documentsIn(), documentsKept(), byStage);
    }

    /**
     * The funnel, JSON-ready (plain maps and lists in a stable order): per stage and per language. The totals are
     * {@link #counts()}.
     */
    public Map<String, Object> toMap() {
        Map<String, Object> out = new LinkedHashMap<>();
        List<Map<String, Object>> stageList = new ArrayList<>();
        for (int i = 0; i < stages.size(); i++) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("stage", stages.get(i));
            s.put("documents_in", docsIn[i]);
            s.put("documents_out", docsOut[i]);
            s.put("chars_in", i == 0 ? null : charsIn[i]);
            s.put("chars_out", charsOut[i]);
            s.put("bytes_in", bytesIn[i]);
            s.put("bytes_out", bytesOut[i]);
            Map<String, Object> reasons = new LinkedHashMap<>();
            rejected.getOrDefault(stages.get(i), Map.of()).forEach((reason, c) -> reasons.put(reason,
                    Map.of("documents", c[0], "chars", c[1], "bytes", c[2])));
            s.put("rejected", reasons);
            stageList.add(s);
        }
        out.put("stages", stageList);
        Map<String, Object> langs = new LinkedHashMap<>();
        languages.forEach((lang, c) -> langs.put(lang, c.toMap()));
        out.put("languages", langs);
        return out;
    }

    private static final class LanguageCounts implements Serializable {
        long docsIn;
        long charsIn;
        long bytesIn;
        long docsOut;
        long charsOut;
        long bytesOut;
        final Map<String, Long> rejectedByStage = new TreeMap<>();

        void add(LanguageCounts o) {
            docsIn += o.docsIn;
            charsIn += o.charsIn;
            bytesIn += o.bytesIn;
            docsOut += o.docsOut;
            charsOut += o.charsOut;
            bytesOut += o.bytesOut;
            o.rejectedByStage.forEach((k, v) -> rejectedByStage.merge(k, v, Long::sum));
        }

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("documents_in", docsIn);
            m.put("documents_out", docsOut);
            m.put("chars_in", charsIn);
            m.put("chars_out", charsOut);
            m.put("bytes_in", bytesIn);
            m.put("bytes_out", bytesOut);
            m.put("rejected_by_stage", new LinkedHashMap<>(rejectedByStage));
            return m;
        }
    }
}
