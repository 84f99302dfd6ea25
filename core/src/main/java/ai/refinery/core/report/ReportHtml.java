package ai.refinery.core.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Renders a {@link Report} as one self-contained HTML page: inline SVG charts and CSS, no script, nothing fetched.
 * Every number drawn is a value of the stage's stats.json (or of its Parquet, for cluster sizes and loss curves),
 * carried as it is in a {@code data-value} attribute beside the drawing, so a reader (or a test) can check each bar
 * against stats.json. Charts: {@code data-chart} = funnel (rows per stage), reasons (rejections per stage and
 * reason), filter-steps (the filter's funnel), languages, clusters (dedup cluster sizes), budget (tokens and the
 * data budget), loss (training curves); {@code data-stage} names the stage.
 */
public final class ReportHtml {
    private static final int LABEL_W = 250;
    private static final int MAX_LABEL_CHARS = 38;
    private static final int BAR_W = 450;
    private static final int VALUE_W = 120;
    private static final int ROW_H = 18;
    private static final int GROUP_GAP = 8;
    private static final int MAX_LANGUAGES = 30;
    private static final int MAX_CLUSTER_BARS = 24;

    private static final Map<String, String> COLOURS = Map.of(
            "rows_in", "#4e79a7", "rows_out", "#59a14f", "rows_rejected", "#e15759",
            "documents_in", "#4e79a7", "documents_out", "#59a14f",
            "rows", "#e15759", "survivors", "#76b7b2", "tokens", "#f28e2b");

    /** A bar: its series (colour and legend) and value. */
    record Bar(String series, Number value) {
    }

    /** A labelled group of bars. */
    record Group(String label, List<Bar> bars) {
    }

    private ReportHtml() {
    }

    public static String render(Report report) {
        StringBuilder body = new StringBuilder();
        body.append("<h1>").append(esc(report.title())).append("</h1>\n");
        if (report.build() != null) {
            Map<String, Object> b = report.build();
            body.append("<p class=\"meta\">plan ").append(esc(str(b.get("plan")))).append(" &#183; outcome <b>")
                    .append(esc(str(b.get("outcome")))).append("</b> &#183; started ").append(esc(str(b.get("started_at"))))
                    .append(" &#183; finished ").append(esc(str(b.get("finished_at")))).append(" &#183; refinery ")
                    .append(esc(str(b.get("refinery")))).append("</p>\n");
        }
        body.append(stageTable(report));
        body.append(funnel(report));
        for (Report.StageData s : report.stages()) {
            body.append(filterSteps(s));
            body.append(reasons(s));
            body.append(languages(s));
            body.append(clusters(s));
            body.append(budget(s, report));
            body.append(loss(s));
        }
        return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n<title>" + esc(report.title())
                + " &#8211; Refinery report</title>\n<style>\n" + CSS + "</style>\n</head>\n<body>\n" + body
                + "<p class=\"meta\">Every figure is read from the stages' stats.json (cluster sizes from dedup's data/, "
                + "curves from the run's metrics/).</p>\n</body>\n</html>\n";
    }

    private static String stageTable(Report report) {
        StringBuilder t = new StringBuilder("<table class=\"stages\">\n<tr><th>stage</th><th>command</th><th>outcome</th>"
                + "<th>seconds</th><th>rows_in</th><th>rows_out</th><th>rows_rejected</th></tr>\n");
        for (Report.StageData s : report.stages()) {
            t.append("<tr><td>").append(esc(s.name())).append("</td><td>").append(esc(s.command())).append("</td><td>")
                    .append(esc(s.outcome() == null ? "" : s.outcome())).append("</td><td>")
                    .append(s.seconds() == null ? "" : String.format(Locale.ROOT, "%.1f", s.seconds())).append("</td>");
            for (String key : List.of("rows_in", "rows_out", "rows_rejected")) {
                t.append("<td class=\"num\">").append(esc(fmt((Number) s.stats().get(key)))).append("</td>");
            }
            t.append("</tr>\n");
        }
        return t.append("</table>\n").toString();
    }

    private static String funnel(Report report) {
        List<Group> groups = new ArrayList<>();
        for (Report.StageData s : report.stages()) {
            List<Bar> bars = new ArrayList<>();
            for (String key : List.of("rows_in", "rows_out", "rows_rejected")) {
                if (s.stats().get(key) instanceof Number n) {
                    bars.add(new Bar(key, n));
                }
            }
            groups.add(new Group(s.name() + " (" + s.command() + ")", bars));
        }
        return chart("funnel", null, "Rows per stage", "rows_in, rows_out and rows_rejected of each stage's stats.json",
                groups);
    }

    private static String reasons(Report.StageData s) {
        if (!(s.stats().get("rejected") instanceof Map<?, ?> rejected) || rejected.isEmpty()) {
            return "";
        }
        List<Group> groups = new ArrayList<>();
        for (Map.Entry<?, ?> stage : rejected.entrySet()) {
            if (stage.getValue() instanceof Map<?, ?> reasons) {
                reasons.entrySet().stream()
                        .sorted(Comparator.comparing((Map.Entry<?, ?> e) -> -((Number) e.getValue()).doubleValue()))
                        .forEach(e -> groups.add(new Group(stage.getKey() + " / " + e.getKey(),
                                List.of(new Bar("rows", (Number) e.getValue())))));
            }
        }
        return chart("reasons", s.name(), s.name() + ": rejected rows by stage and reason",
                "rejected.&lt;stage&gt;.&lt;reason&gt; of stats.json; " + fmt((Number) s.stats().get("rows_rejected"))
                        + " rows in all", groups);
    }

    private static String filterSteps(Report.StageData s) {
        if (!(s.stats().get("stages") instanceof List<?> steps) || steps.isEmpty()) {
            return "";
        }
        List<Group> groups = new ArrayList<>();
        for (Object o : steps) {
            if (o instanceof Map<?, ?> step && step.get("documents_in") instanceof Number in
                    && step.get("documents_out") instanceof Number out) {
                groups.add(new Group(str(step.get("stage")), List.of(new Bar("documents_in", in), new Bar("documents_out", out))));
            }
        }
        return chart("filter-steps", s.name(), s.name() + ": the funnel, step by step",
                "documents_in and documents_out of each step (stats.json stages)", groups);
    }

    private static String languages(Report.StageData s) {
        if (!(s.stats().get("languages") instanceof Map<?, ?> langs) || langs.isEmpty()) {
            return "";
        }
        List<Map.Entry<?, ?>> sorted = new ArrayList<>(langs.entrySet());
        sorted.sort(Comparator.comparing((Map.Entry<?, ?> e) -> -number(((Map<?, ?>) e.getValue()).get("documents_in")))
                .thenComparing(e -> String.valueOf(e.getKey())));
        List<Group> groups = new ArrayList<>();
        for (Map.Entry<?, ?> e : sorted.subList(0, Math.min(MAX_LANGUAGES, sorted.size()))) {
            Map<?, ?> l = (Map<?, ?>) e.getValue();
            List<Bar> bars = new ArrayList<>();
            for (String key : List.of("documents_in", "documents_out")) {
                if (l.get(key) instanceof Number n) {
                    bars.add(new Bar(key, n));
                }
            }
            groups.add(new Group(str(e.getKey()), bars));
        }
        String more = sorted.size() > MAX_LANGUAGES ? "; " + (sorted.size() - MAX_LANGUAGES) + " smaller languages not drawn" : "";
        return chart("languages", s.name(), s.name() + ": languages",
                "documents reaching the language stage and kept, per detected language (stats.json languages)" + more, groups);
    }

    private static String clusters(Report.StageData s) {
        TreeMap<Integer, Long> sizes = s.clusterSizes();
        if (sizes == null || sizes.isEmpty()) {
            return "";
        }
        Map<String, Long> buckets = new LinkedHashMap<>();
        if (sizes.size() <= MAX_CLUSTER_BARS) {
            sizes.forEach((size, n) -> buckets.put(String.valueOf(size), n));
        } else {
            // Sizes 1..4 alone, then powers of two: 5-8, 9-16, ...
            sizes.forEach((size, n) -> {
                String label;
                if (size <= 4) {
                    label = String.valueOf(size);
                } else {
                    int hi = Integer.highestOneBit(size - 1) << 1;
                    label = (hi / 2 + 1) + "-" + hi;
                }
                buckets.merge(label, n, Long::sum);
            });
        }
        List<Group> groups = new ArrayList<>();
        buckets.forEach((label, n) -> groups.add(new Group("cluster size " + label, List.of(new Bar("survivors", n)))));
        long survivors = sizes.values().stream().mapToLong(Long::longValue).sum();
        long multi = sizes.entrySet().stream().filter(e -> e.getKey() >= 2).mapToLong(Map.Entry::getValue).sum();
        String note = "kept documents by the number of input rows they stand for (data/ cluster_size): " + survivors
                + " kept (stats.json rows_out " + fmt((Number) s.stats().get("rows_out")) + "), " + multi
                + " of them kept for a cluster of two or more (stats.json clusters " + fmt((Number) s.stats().get("clusters"))
                + "); removed: " + fmt((Number) s.stats().get("rows_rejected"));
        return chart("clusters", s.name(), s.name() + ": duplicate cluster sizes", note, groups);
    }

    private static String budget(Report.StageData s, Report report) {
        Map<String, Object> st = s.stats();
        if (!(st.get("tokens_per_epoch") instanceof Number perEpoch)) {
            return "";
        }
        List<Group> groups = new ArrayList<>();
        for (String key : List.of("tokens", "tokens_train", "tokens_validation", "tokens_per_epoch")) {
            if (st.get(key) instanceof Number n) {
                groups.add(new Group(key, List.of(new Bar("tokens", n))));
            }
        }
        double epochs = number(st.get("planned_epochs"));
        groups.add(new Group("planned: U x " + fmt(epochs) + " epochs", List.of(new Bar("tokens", perEpoch.doubleValue() * epochs))));
        if (st.get("effective_tokens") instanceof Number effective) {
            groups.add(new Group("effective_tokens (D')", List.of(new Bar("tokens", effective))));
        }
        for (Report.StageData run : report.stages()) {
            if (run.metrics() != null && run.stats().get("tokens") instanceof Number trained
                    && str(run.manifest().get("data")).startsWith(s.path() + "/")) {
                groups.add(new Group("trained: " + run.name(), List.of(new Bar("tokens", trained))));
            }
        }
        String note = "U = tokens_per_epoch (training targets per epoch); D' = U + U R* (1 - e^(-R/R*)), R = epochs - 1, "
                + "R* = 15.4 (Muennighoff et al. 2023)" + (Boolean.TRUE.equals(st.get("repetition_warning"))
                ? "; repetition_warning: more than 4 planned epochs" : "");
        return chart("budget", s.name(), s.name() + ": tokens and the data budget", note, groups);
    }

    private static String loss(Report.StageData s) {
        List<Report.MetricPoint> points = s.metrics();
        if (points == null || points.isEmpty()) {
            return "";
        }
        int w = LABEL_W + BAR_W + VALUE_W;
        int h = 300;
        int left = 60;
        int right = 20;
        int top = 20;
        int bottom = 40;
        long minStep = points.get(0).step();
        long maxStep = points.get(points.size() - 1).step();
        double minY = Double.MAX_VALUE;
        double maxY = -Double.MAX_VALUE;
        for (Report.MetricPoint p : points) {
            minY = Math.min(minY, p.loss());
            maxY = Math.max(maxY, p.loss());
            if (p.valLoss() != null) {
                minY = Math.min(minY, p.valLoss());
                maxY = Math.max(maxY, p.valLoss());
            }
        }
        if (maxY - minY < 1e-9) {
            maxY = minY + 1;
        }
        double pad = (maxY - minY) * 0.05;
        double y0 = minY - pad;
        double y1 = maxY + pad;
        double xSpan = Math.max(1, maxStep - minStep);
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg data-chart=\"loss\" data-stage=\"%s\" xmlns=\"http://www.w3.org/2000/svg\" "
                + "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">\n", esc(s.name()), w, h, w, h));
        // Axes and five ticks on each.
        svg.append(String.format(Locale.ROOT, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>"
                + "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n",
                left, h - bottom, w - right, h - bottom, left, top, left, h - bottom));
        for (int i = 0; i <= 4; i++) {
            double v = y0 + (y1 - y0) * i / 4;
            double y = h - bottom - (h - top - bottom) * (double) i / 4;
            svg.append(String.format(Locale.ROOT, "<text class=\"tick\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.3f</text>\n",
                    left - 4, y + 4, v));
            long step = Math.round(minStep + xSpan * i / 4);
            double x = left + (w - left - right) * (double) i / 4;
            svg.append(String.format(Locale.ROOT, "<text class=\"tick\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d</text>\n",
                    x, h - bottom + 16, step));
        }
        svg.append(String.format(Locale.ROOT, "<text class=\"tick\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">step</text>\n",
                left + (w - left - right) / 2, h - 6));
        StringBuilder train = new StringBuilder();
        StringBuilder steps = new StringBuilder();
        StringBuilder values = new StringBuilder();
        List<String> valDots = new ArrayList<>();
        for (Report.MetricPoint p : points) {
            double x = left + (w - left - right) * (p.step() - minStep) / xSpan;
            double y = h - bottom - (h - top - bottom) * (p.loss() - y0) / (y1 - y0);
            train.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
            steps.append(steps.length() == 0 ? "" : ",").append(p.step());
            values.append(values.length() == 0 ? "" : ",").append(p.loss());
            if (p.valLoss() != null) {
                double vy = h - bottom - (h - top - bottom) * (p.valLoss() - y0) / (y1 - y0);
                valDots.add(String.format(Locale.ROOT, "<circle class=\"val\" cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" data-series=\"val_loss\" "
                        + "data-step=\"%d\" data-value=\"%s\"><title>step %d: val_loss %.4f</title></circle>",
                        x, vy, p.step(), p.valLoss(), p.step(), p.valLoss()));
            }
        }
        svg.append("<polyline class=\"train\" data-series=\"loss\" data-steps=\"").append(steps)
                .append("\" data-values=\"").append(values).append("\" points=\"").append(train.toString().trim())
                .append("\"/>\n");
        valDots.forEach(d -> svg.append(d).append('\n'));
        svg.append(String.format(Locale.ROOT, "<g class=\"legend\"><rect x=\"%d\" y=\"6\" width=\"12\" height=\"3\" fill=\"#4e79a7\"/>"
                + "<text x=\"%d\" y=\"12\">loss (training)</text><circle cx=\"%d\" cy=\"8\" r=\"3.5\" fill=\"#e15759\"/>"
                + "<text x=\"%d\" y=\"12\">val_loss</text></g>\n", w - 260, w - 244, w - 120, w - 112));
        svg.append("</svg>\n");
        Report.MetricPoint last = points.get(points.size() - 1);
        String note = "metrics/ of the run: " + points.size() + " points, last step " + last.step() + " loss "
                + String.format(Locale.ROOT, "%.4f", last.loss()) + " (stats.json loss " + fmt((Number) s.stats().get("loss"))
                + ", val_loss " + fmt((Number) s.stats().get("val_loss")) + ", tokens " + fmt((Number) s.stats().get("tokens")) + ")";
        return section("loss", s.name(), s.name() + ": training loss", note, svg.toString());
    }

    /** A horizontal bar chart: one row per bar, grouped, bars scaled to the largest value. */
    static String chart(String kind, String stage, String title, String note, List<Group> groups) {
        if (groups.isEmpty()) {
            return "";
        }
        double max = 0;
        List<String> series = new ArrayList<>();
        for (Group g : groups) {
            for (Bar b : g.bars()) {
                max = Math.max(max, b.value().doubleValue());
                if (!series.contains(b.series())) {
                    series.add(b.series());
                }
            }
        }
        int w = LABEL_W + BAR_W + VALUE_W;
        int legend = series.size() > 1 ? 22 : 0;
        int rows = groups.stream().mapToInt(g -> Math.max(1, g.bars().size())).sum();
        int h = legend + rows * ROW_H + groups.size() * GROUP_GAP + 4;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg data-chart=\"%s\"%s xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
                + "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">\n", kind,
                stage == null ? "" : " data-stage=\"" + esc(stage) + "\"", w, h, w, h));
        if (legend > 0) {
            int x = LABEL_W;
            for (String s : series) {
                svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"4\" width=\"12\" height=\"12\" fill=\"%s\"/>"
                        + "<text class=\"legend\" x=\"%d\" y=\"14\">%s</text>\n", x, colour(s), x + 16, esc(s)));
                x += 30 + 8 * s.length();
            }
        }
        int y = legend;
        for (Group g : groups) {
            y += GROUP_GAP / 2;
            svg.append(String.format(Locale.ROOT, "<text class=\"label\" x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n",
                    LABEL_W - 8, y + ROW_H - 5, esc(shortLabel(g.label()))));
            for (Bar b : g.bars()) {
                double v = b.value().doubleValue();
                double bw = max <= 0 ? 0 : BAR_W * v / max;
                // A non-zero value is never drawn thinner than a pixel.
                if (v > 0 && bw < 1) {
                    bw = 1;
                }
                svg.append(String.format(Locale.ROOT, "<g class=\"bar\" data-label=\"%s\" data-series=\"%s\" data-value=\"%s\">"
                        + "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"><title>%s %s: %s</title></rect>"
                        + "<text class=\"value\" x=\"%.1f\" y=\"%d\">%s</text></g>\n",
                        esc(g.label()), esc(b.series()), raw(b.value()), LABEL_W, y + 2, bw, ROW_H - 4, colour(b.series()),
                        esc(g.label()), esc(b.series()), esc(fmt(b.value())), LABEL_W + bw + 4, y + ROW_H - 5,
                        esc(fmt(b.value()))));
                y += ROW_H;
            }
            y += GROUP_GAP / 2;
        }
        svg.append("</svg>\n");
        return section(kind, stage, title, note, svg.toString());
    }

    private static String section(String kind, String stage, String title, String note, String svg) {
        return "<section class=\"chart\" id=\"" + esc(kind + (stage == null ? "" : "-" + stage)) + "\">\n<h2>" + esc(title)
                + "</h2>\n<p class=\"note\">" + note + "</p>\n" + svg + "</section>\n";
    }

    /** Long labels are cut for the drawing; the bar's title and data-label keep them whole. */
    private static String shortLabel(String label) {
        return label.length() <= MAX_LABEL_CHARS ? label : label.substring(0, MAX_LABEL_CHARS - 1) + "\u2026";
    }

    private static String colour(String series) {
        return COLOURS.getOrDefault(series, "#9c755f");
    }

    /** The value as stats.json has it: integers without a fraction, doubles in Java's shortest round-trip form. */
    static String raw(Number n) {
        if (n instanceof Double || n instanceof Float) {
            return Double.toString(n.doubleValue());
        }
        return Long.toString(n.longValue());
    }

    private static String fmt(Number n) {
        if (n == null) {
            return "-";
        }
        if (n instanceof Double || n instanceof Float || n instanceof java.math.BigDecimal) {
            double d = n.doubleValue();
            if (Math.abs(d) >= 1e5) {
                return String.format(Locale.ROOT, "%,.0f", d);
            }
            return String.format(Locale.ROOT, "%.4g", d);
        }
        return String.format(Locale.ROOT, "%,d", n.longValue());
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.format(Locale.ROOT, "%.3g", d);
    }

    private static double number(Object o) {
        return o instanceof Number n ? n.doubleValue() : 0;
    }

    private static String str(Object o) {
        return o == null ? "" : String.valueOf(o);
    }

    static String esc(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    private static final String CSS = """
            body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #222; max-width: 900px; }
            h1 { font-size: 22px; } h2 { font-size: 16px; margin: 0 0 4px; }
            .meta, .note { color: #555; font-size: 12px; }
            section.chart { margin: 22px 0; }
            table.stages { border-collapse: collapse; font-size: 13px; }
            table.stages td, table.stages th { border-bottom: 1px solid #ddd; padding: 3px 10px; text-align: left; }
            td.num { text-align: right; font-variant-numeric: tabular-nums; }
            svg text { font: 11px system-ui, sans-serif; fill: #333; }
            svg .axis { stroke: #888; stroke-width: 1; }
            svg polyline.train { fill: none; stroke: #4e79a7; stroke-width: 1.5; }
            svg circle.val { fill: #e15759; }
            """;
}
