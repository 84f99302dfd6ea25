package ai.refinery.jobs;

import ai.refinery.core.output.Json;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Assumptions;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Checks of a report page: its numbers against stats.json (parsed HTML), and its charts as Chromium renders them. */
final class ReportChecks {
    static final List<String> CHARTS = List.of("funnel", "reasons", "filter-steps", "languages", "clusters", "budget", "loss");

    private ReportChecks() {
    }

    static Map<String, Object> stats(Path stage) throws Exception {
        return Json.readMap(Files.readString(stage.resolve("stats.json")));
    }

    /** The bars of a chart: "label|series" -> data-value. */
    static Map<String, Double> bars(Element svg) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (Element g : svg.select("g.bar")) {
            out.put(g.attr("data-label") + "|" + g.attr("data-series"), Double.parseDouble(g.attr("data-value")));
        }
        return out;
    }

    static Element chart(Document doc, String kind, String stage) {
        Element svg = doc.selectFirst("svg[data-chart=" + kind + "]" + (stage == null ? "" : "[data-stage=" + stage + "]"));
        assertNotNull(svg, "chart " + kind + (stage == null ? "" : " of " + stage));
        return svg;
    }

    static double num(Object o) {
        return ((Number) o).doubleValue();
    }

    /** Every chart is there, and every number drawn equals the stage's stats.json (or its Parquet). */
    static void assertMatchesStats(Path html, Path build, List<String> stages) throws Exception {
        String text = Files.readString(html);
        Document doc = Jsoup.parse(text);
        assertTrue(doc.select("script, [src], link").isEmpty(), "self-contained: no script, no fetched resource");
        assertFalse(text.replace("http://www.w3.org/2000/svg", "").contains("http"), "no address in the page");
        for (String kind : CHARTS) {
            assertFalse(doc.select("svg[data-chart=" + kind + "]").isEmpty(), "chart " + kind);
        }
        Map<String, Double> funnel = bars(chart(doc, "funnel", null));
        for (String stage : stages) {
            Map<String, Object> s = stats(build.resolve(stage));
            for (String key : List.of("rows_in", "rows_out", "rows_rejected")) {
                assertEquals(num(s.get(key)), funnel.get(stage + " (" + stage + ")|" + key), stage + " " + key);
            }
        }
        Map<String, Object> filter = stats(build.resolve("filter"));
        for (String stage : List.of("filter", "dedup")) {
            Map<String, Double> reasons = bars(chart(doc, "reasons", stage));
            Map<?, ?> rejected = (Map<?, ?>) stats(build.resolve(stage)).get("rejected");
            int n = 0;
            for (Map.Entry<?, ?> st : rejected.entrySet()) {
                for (Map.Entry<?, ?> r : ((Map<?, ?>) st.getValue()).entrySet()) {
                    assertEquals(num(r.getValue()), reasons.get(st.getKey() + " / " + r.getKey() + "|rows"), stage + " " + r.getKey());
                    n++;
                }
            }
            assertEquals(n, reasons.size(), "one bar per stage and reason");
        }
        Map<String, Double> steps = bars(chart(doc, "filter-steps", "filter"));
        for (Object o : (List<?>) filter.get("stages")) {
            Map<?, ?> step = (Map<?, ?>) o;
            assertEquals(num(step.get("documents_in")), steps.get(step.get("stage") + "|documents_in"));
            assertEquals(num(step.get("documents_out")), steps.get(step.get("stage") + "|documents_out"));
        }
        Map<String, Double> langs = bars(chart(doc, "languages", "filter"));
        Map<?, ?> languages = (Map<?, ?>) filter.get("languages");
        assertTrue(languages.size() >= 2, languages.toString());
        for (Map.Entry<?, ?> l : languages.entrySet()) {
            Map<?, ?> v = (Map<?, ?>) l.getValue();
            assertEquals(num(v.get("documents_in")), langs.get(l.getKey() + "|documents_in"), "language " + l.getKey());
            assertEquals(num(v.get("documents_out")), langs.get(l.getKey() + "|documents_out"), "language " + l.getKey());
        }
        Map<String, Object> dedup = stats(build.resolve("dedup"));
        Map<String, Double> clusters = bars(chart(doc, "clusters", "dedup"));
        double survivors = clusters.values().stream().mapToDouble(Double::doubleValue).sum();
        assertEquals(num(dedup.get("rows_out")), survivors, "every kept document in one size bar");
        double multi = clusters.entrySet().stream().filter(e -> !e.getKey().startsWith("cluster size 1|"))
                .mapToDouble(Map.Entry::getValue).sum();
        assertEquals(num(dedup.get("clusters")), multi, "kept documents of clusters of two or more = stats clusters");
        assertEquals(Cli.query("SELECT sum(cluster_size) FROM read_parquet('" + build.resolve("dedup/data") + "/*.parquet')"),
                (long) clusters.entrySet().stream().mapToDouble(e -> Double.parseDouble(
                        e.getKey().replace("cluster size ", "").replaceAll("\\|.*", "")) * e.getValue()).sum());
        Map<String, Object> tokenize = stats(build.resolve("tokenize"));
        Map<String, Double> budget = bars(chart(doc, "budget", "tokenize"));
        for (String key : List.of("tokens", "tokens_train", "tokens_validation", "tokens_per_epoch")) {
            assertEquals(num(tokenize.get(key)), budget.get(key + "|tokens"), key);
        }
        assertEquals(num(tokenize.get("effective_tokens")), budget.get("effective_tokens (D')|tokens"));
        Map<String, Object> pretrain = stats(build.resolve("pretrain"));
        assertEquals(num(pretrain.get("tokens")), budget.get("trained: pretrain|tokens"));
        Element loss = chart(doc, "loss", "pretrain");
        Element line = loss.selectFirst("polyline[data-series=loss]");
        assertNotNull(line);
        String[] values = line.attr("data-values").split(",");
        String[] stepsDrawn = line.attr("data-steps").split(",");
        assertEquals(Cli.query("SELECT count(*) FROM read_parquet('" + build.resolve("pretrain/metrics") + "/*.parquet')"),
                values.length, "one point per metrics row");
        assertEquals(num(pretrain.get("loss")), Double.parseDouble(values[values.length - 1]), "last loss = stats.json loss");
        assertEquals(num(pretrain.get("steps")), Double.parseDouble(stepsDrawn[stepsDrawn.length - 1]));
        List<Element> val = loss.select("circle[data-series=val_loss]");
        assertFalse(val.isEmpty(), "validation points");
        if (pretrain.get("val_loss") != null) {
            assertEquals(num(pretrain.get("val_loss")), Double.parseDouble(val.get(val.size() - 1).attr("data-value")));
        }
    }

    static String chromium() {
        for (String candidate : List.of("chromium", "chromium-browser", "google-chrome")) {
            for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
                Path p = Path.of(dir, candidate);
                if (Files.isExecutable(p)) {
                    return p.toString();
                }
            }
        }
        return null;
    }

    /**
     * Renders the page in headless Chromium and measures every chart there: a copy of the page gets a script that,
     * once the page is laid out, writes each chart's size and the number of its marks with a non-empty box into the
     * DOM, which Chromium dumps. Skipped, saying so, where Chromium is not installed.
     */
    static void assertRendersInChromium(Path html, Path work) throws Exception {
        String chromium = chromium();
        Assumptions.assumeTrue(chromium != null, "headless Chromium is not installed (Debian: apt-get install chromium; "
                + ".ci/run installs it where it can): the browser rendering check is skipped, the parsed-HTML checks ran");
        Files.createDirectories(work);
        String page = Files.readString(html);
        String probe = "<script>window.addEventListener('load', () => { const out = [];"
                + " document.querySelectorAll('svg[data-chart]').forEach(svg => { const r = svg.getBoundingClientRect();"
                + " let painted = 0; svg.querySelectorAll('rect, polyline, circle').forEach(m => { const b = m.getBBox();"
                + " if (b.width > 0 && (b.height > 0 || m.tagName === 'polyline')) painted++; });"
                + " out.push(svg.dataset.chart + ' ' + (svg.dataset.stage || '-') + ' ' + Math.round(r.width) + ' '"
                + " + Math.round(r.height) + ' ' + painted); });"
                + " const pre = document.createElement('pre'); pre.id = 'rendered'; pre.textContent = out.join('\\n');"
                + " document.body.appendChild(pre); });</script>";
        Path probed = work.resolve("probe.html");
        Files.writeString(probed, page.replace("</body>", probe + "</body>"));
        List<String> command = new ArrayList<>(List.of(chromium, "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--user-data-dir=" + work.resolve("profile"), "--virtual-time-budget=5000",
                "--dump-dom", probed.toUri().toString()));
        Process p = new ProcessBuilder(command).redirectError(work.resolve("chromium.log").toFile()).start();
        String dom = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "chromium finished");
        Element rendered = Jsoup.parse(dom).getElementById("rendered");
        assertNotNull(rendered, "Chromium ran the page: " + Files.readString(work.resolve("chromium.log")));
        Document source = Jsoup.parse(page);
        String[] lines = rendered.text().isBlank() ? new String[0] : rendered.wholeText().split("\n");
        assertEquals(source.select("svg[data-chart]").size(), lines.length, "every chart rendered: " + rendered.wholeText());
        List<String> kinds = new ArrayList<>();
        for (String l : lines) {
            String[] f = l.trim().split(" ");
            kinds.add(f[0]);
            assertTrue(Integer.parseInt(f[2]) > 0 && Integer.parseInt(f[3]) > 0, "chart has a size: " + l);
            assertTrue(Integer.parseInt(f[4]) > 0, "chart draws something: " + l);
        }
        assertTrue(kinds.containsAll(CHARTS), kinds.toString());
        // A picture of the page for people to look at.
        new ProcessBuilder(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--user-data-dir=" + work.resolve("profile"), "--window-size=1000,4000", "--hide-scrollbars",
                "--screenshot=" + work.resolve("report.png"), html.toUri().toString())
                .redirectErrorStream(true).redirectOutput(work.resolve("screenshot.log").toFile()).start().waitFor(120, TimeUnit.SECONDS);
    }
}
