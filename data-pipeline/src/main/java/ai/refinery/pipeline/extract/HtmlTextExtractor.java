package ai.refinery.pipeline.extract;

import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.nodes.TextNode;
import org.jsoup.select.NodeFilter;
import org.jsoup.select.NodeTraversor;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * HTML to plain text on a jsoup DOM, keeping the document's structure as lines and paragraphs: paragraph-like
 * blocks (p, headings, lists, tables, div, ...) are separated by a blank line, list items, table rows and single
 * line breaks by a newline. That is the shape the line- and paragraph-based quality filters (Gopher, C4, FineWeb)
 * expect.
 *
 * <p>Two modes. {@code BODY} keeps all visible text of the body. {@code MAIN} keeps the main content: it drops
 * the page furniture (nav, header, footer, aside, form, elements whose class or id names a menu, sidebar, cookie
 * banner, ...) and then every text block that is mostly link text (menus, tag clouds, "related" lists); when what
 * remains is shorter than {@code mainMinChars} it falls back to the body text. This is our own implementation rather
 * than Readability4J (a port of Mozilla Readability that is on the classpath): Readability4J re-parses and rescans
 * the DOM many times with regular expressions and measured an order of magnitude slower than this single pass on the
 * real Common Crawl pages of the test corpus (see ReadThroughputMain), which would not leave the filter job its
 * throughput target of 3 MB/s of WARC per core once language ID and the quality filters are added.
 */
public final class HtmlTextExtractor {
    public enum Mode {
        MAIN, BODY;

        public static Mode fromCode(String code) {
            return valueOf(code.toUpperCase(Locale.ROOT));
        }
    }

    /** A block whose share of characters inside links is above this is navigation, not content. */
    static final double MAX_LINK_DENSITY = 0.5;

    private static final Set<String> SKIP = Set.of("script", "style", "noscript", "template", "svg", "math", "canvas",
            "iframe", "object", "embed", "head", "title", "select", "option", "textarea", "button", "input", "audio",
            "video", "map", "dialog");
    private static final Set<String> MAIN_SKIP = Set.of("nav", "header", "footer", "aside", "form", "menu");
    private static final Set<String> PARAGRAPH = Set.of("p", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote",
            "ul", "ol", "dl", "table", "hr", "div", "section", "article", "main", "header", "footer", "nav", "aside",
            "form", "fieldset", "figure", "address", "details", "body", "center", "hgroup", "menu", "noframes");
    private static final Set<String> LINE = Set.of("li", "dt", "dd", "tr", "caption", "figcaption", "summary",
            "legend", "thead", "tbody", "tfoot", "option");
    private static final Set<String> CELL = Set.of("td", "th");
    /** Words in a class or id that mark page furniture rather than content. */
    private static final Set<String> BOILERPLATE_WORDS = Set.of("nav", "navbar", "navigation", "menu", "footer",
            "sidebar", "breadcrumb", "breadcrumbs", "cookie", "cookies", "consent", "banner", "share", "sharing",
            "social", "advert", "advertisement", "ads", "promo", "popup", "modal", "newsletter", "subscribe", "related",
            "widget", "skip");
    private static final Set<String> NEVER_FURNITURE = Set.of("html", "body", "main", "article");

    private final Mode mode;
    private final int mainMinChars;

    public HtmlTextExtractor(Mode mode, int mainMinChars) {
        this.mode = mode;
        this.mainMinChars = mainMinChars;
    }

    public Mode mode() {
        return mode;
    }

    /** The text of an HTML page (empty when it has none). */
    public String extract(String html, String baseUri) {
        Document doc = Jsoup.parse(html, baseUri == null ? "" : baseUri);
        return extract(doc);
    }

    public String extract(Document doc) {
        Element body = doc.body();
        if (mode == Mode.BODY) {
            return join(collect(body, false), false);
        }
        String main = join(collect(body, true), true);
        if (main.length() >= mainMinChars) {
            return main;
        }
        String all = join(collect(body, false), false);
        return all.length() > main.length() ? all : main;
    }

    private static List<Block> collect(Element root, boolean main) {
        Collector c = new Collector(main);
        NodeTraversor.filter(c, root);
        c.endBlock(0);
        return c.blocks;
    }

    private static String join(List<Block> blocks, boolean dropLinkBlocks) {
        StringBuilder out = new StringBuilder();
        int sep = 0;
        for (Block b : blocks) {
            sep = Math.max(sep, b.breakBefore);
            if (dropLinkBlocks && b.linkChars > MAX_LINK_DENSITY * b.text.length()) {
                continue;
            }
            if (out.length() > 0) {
                out.append(sep >= 2 ? "\n\n" : "\n");
            }
            out.append(b.text);
            sep = 0;
        }
        return out.toString();
    }

    record Block(String text, int linkChars, int breakBefore) {
    }

    /** One pass over the DOM that cuts the visible text into blocks at block-level elements. */
    private static final class Collector implements NodeFilter {
        final boolean main;
        final List<Block> blocks = new ArrayList<>();
        final StringBuilder cur = new StringBuilder();
        int curLinkChars;
        int pendingBreak;
        boolean pendingSpace;
        boolean lastBreakWasBr;
        int linkDepth;
        int preDepth;

        Collector(boolean main) {
            this.main = main;
        }

        @Override
        public FilterResult head(Node node, int depth) {
            if (node instanceof TextNode t) {
                appendText(t.getWholeText());
                return FilterResult.CONTINUE;
            }
            if (!(node instanceof Element e)) {
                return FilterResult.SKIP_ENTIRELY; // comments, doctype, data nodes
            }
            String tag = e.normalName();
            if (SKIP.contains(tag) || hidden(e) || main && (MAIN_SKIP.contains(tag) || furniture(e, tag))) {
                return FilterResult.SKIP_ENTIRELY;
            }
            if (tag.equals("br")) {
                int level = lastBreakWasBr && cur.length() == 0 ? 2 : 1;
                endBlock(level);
                lastBreakWasBr = true;
                return FilterResult.CONTINUE;
            }
            if (tag.equals("img")) {
                return FilterResult.CONTINUE;
            }
            int level = breakLevel(tag);
            if (level > 0) {
                endBlock(level);
            } else if (CELL.contains(tag)) {
                pendingSpace = true;
            }
            if (tag.equals("a")) {
                linkDepth++;
            } else if (tag.equals("pre")) {
                preDepth++;
            }
            return FilterResult.CONTINUE;
        }

        @Override
        public FilterResult tail(Node node, int depth) {
            if (node instanceof Element e) {
                String tag = e.normalName();
                int level = breakLevel(tag);
                if (level > 0) {
                    endBlock(level);
                } else if (CELL.contains(tag)) {
                    pendingSpace = true;
                }
                if (tag.equals("a")) {
                    linkDepth--;
                } else if (tag.equals("pre")) {
                    preDepth--;
                }
            }
            return FilterResult.CONTINUE;
        }

        private static int breakLevel(String tag) {
            if (PARAGRAPH.contains(tag)) {
                return 2;
            }
            return LINE.contains(tag) ? 1 : 0;
        }

        void endBlock(int level) {
            if (cur.length() > 0) {
                int end = cur.length();
                while (end > 0 && (cur.charAt(end - 1) == '\n' || cur.charAt(end - 1) == ' ')) {
                    end--;
                }
                cur.setLength(end);
                if (end > 0) {
                    blocks.add(new Block(cur.toString(), curLinkChars, pendingBreak));
                }
                cur.setLength(0);
                curLinkChars = 0;
                pendingBreak = level;
            } else {
                pendingBreak = Math.max(pendingBreak, level);
            }
            pendingSpace = false;
            lastBreakWasBr = false;
        }

        void appendText(String s) {
            int before = cur.length();
            if (preDepth > 0) {
                appendPre(s);
            } else {
                for (int i = 0, n = s.length(); i < n; i++) {
                    char ch = s.charAt(i);
                    if (isSpace(ch)) {
                        pendingSpace = true;
                    } else if (ch == '\u200b' || ch == '\ufeff' || ch == '\u00ad') {
                        continue; // zero-width space, stray BOM, soft hyphen: invisible
                    } else {
                        if (pendingSpace && cur.length() > 0) {
                            cur.append(' ');
                        }
                        pendingSpace = false;
                        cur.append(ch);
                        if (linkDepth > 0) {
                            curLinkChars++; // the separating space is not link text
                        }
                    }
                }
            }
            if (cur.length() > before) {
                lastBreakWasBr = false;
            }
        }

        /** Preformatted text keeps its line breaks (at most one blank line in a row) and its indentation. */
        private void appendPre(String s) {
            String[] lines = s.split("\r\n|\r|\n", -1);
            for (int i = 0; i < lines.length; i++) {
                if (i > 0) {
                    stripTrailingSpaces();
                    int n = cur.length();
                    if (n > 0 && !(n >= 2 && cur.charAt(n - 1) == '\n' && cur.charAt(n - 2) == '\n')) {
                        cur.append('\n');
                    }
                }
                String piece = lines[i].replace('\t', ' ');
                if (piece.isBlank()) {
                    continue;
                }
                if (pendingSpace && cur.length() > 0 && cur.charAt(cur.length() - 1) != '\n') {
                    cur.append(' ');
                }
                pendingSpace = false;
                cur.append(piece);
                if (linkDepth > 0) {
                    curLinkChars += piece.length();
                }
            }
        }

        private void stripTrailingSpaces() {
            int end = cur.length();
            while (end > 0 && cur.charAt(end - 1) == ' ') {
                end--;
            }
            cur.setLength(end);
        }

        private static boolean isSpace(char ch) {
            return ch == ' ' || ch == '\n' || ch == '\t' || ch == '\r' || ch == '\f' || ch == '\u00a0'
                    || ch == '\u2007' || ch == '\u202f' || ch == '\u3000' || (ch >= '\u2000' && ch <= '\u200a');
        }

        private static boolean hidden(Element e) {
            if (e.attributesSize() == 0) {
                return false;
            }
            if (e.hasAttr("hidden") || "true".equalsIgnoreCase(e.attr("aria-hidden"))) {
                return true;
            }
            String style = e.attr("style");
            if (style.isEmpty()) {
                return false;
            }
            String s = style.replace(" ", "").toLowerCase(Locale.ROOT);
            return s.contains("display:none") || s.contains("visibility:hidden");
        }

        private static boolean furniture(Element e, String tag) {
            if (NEVER_FURNITURE.contains(tag) || e.attributesSize() == 0) {
                return false;
            }
            return namesFurniture(e.id()) || namesFurniture(e.className());
        }

        /** Whether a class or id list has a token such as "sidebar", "site-footer", "nav_menu". */
        static boolean namesFurniture(String names) {
            if (names.isEmpty()) {
                return false;
            }
            for (String token : names.toLowerCase(Locale.ROOT).split("\\s+")) {
                // "has-sidebar", "with-nav", "no-ads" describe a layout wrapper, not the furniture itself
                if (token.startsWith("has-") || token.startsWith("with-") || token.startsWith("no-")) {
                    continue;
                }
                for (String part : token.split("[-_]")) {
                    if (BOILERPLATE_WORDS.contains(part)) {
                        return true;
                    }
                }
            }
            return false;
        }
    }
}
