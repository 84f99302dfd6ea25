package ai.refinery.pipeline.extract;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class HtmlTextExtractorTest {
    private static final HtmlTextExtractor BODY = new HtmlTextExtractor(HtmlTextExtractor.Mode.BODY, 0);

    private static String body(String html) {
        return BODY.extract(html, null);
    }

    @Test
    void blocksBecomeParagraphsAndLines() {
        String html = """
                <html><head><title>Not body text</title><style>p { color: red }</style></head><body>
                <h1>Heading</h1>
                <p>First   paragraph
                   spans source lines.</p>
                <p>Second<br>with a break.</p>
                <ul><li>One</li><li>Two <b>bold</b></li></ul>
                <table><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table>
                <div>Div text <span>inline</span><div>nested div</div></div>
                <script>document.write("no")</script><noscript>no</noscript>
                </body></html>""";
        assertEquals("Heading\n\nFirst paragraph spans source lines.\n\nSecond\nwith a break.\n\nOne\nTwo bold\n\n"
                + "a b\nc d\n\nDiv text inline\n\nnested div", body(html));
    }

    @Test
    void hiddenElementsAndEntities() {
        assertEquals("Shown &amp; told \u201cquoted\u201d", body(
                "<p>Shown &amp;amp; told &ldquo;quoted&rdquo;</p><p hidden>gone</p><p style='display: none'>gone</p>"
                        + "<div aria-hidden=\"true\">gone</div>"));
        assertEquals("a b", body("<p>a&nbsp;&nbsp;b\u200b</p>"));
    }

    @Test
    void doubleBreakIsAParagraphAndPreKeepsLines() {
        assertEquals("one\n\ntwo", body("<p>one<br><br>two</p>"));
        assertEquals("code\n  indented\nend\n\nafter", body("<pre>code\n  indented   \nend\n</pre><p>after</p>"));
    }

    @Test
    void emptyAndFramesetPages() {
        assertEquals("", body(""));
        assertEquals("", body("<html><body><script>x</script><img src=a.png></body></html>"));
    }

    @Test
    void mainModeDropsFurnitureAndLinkBlocks() {
        String article = "This is the article text, a long paragraph that a reader came for. ".repeat(4).trim();
        String html = "<body><header><h1>Site</h1></header><nav><a href=/>Home</a> <a href=/a>About</a></nav>"
                + "<div class='page has-sidebar'><article><h2>Story</h2><p>" + article + "</p>"
                + "<p>A sentence with <a href=/x>one link</a> inside stays.</p>"
                + "<p><a href=/1>Related one</a> | <a href=/2>Related two</a></p></article>"
                + "<div class='sidebar-widgets'><p>Sidebar text</p></div></div>"
                + "<div id='cookie-banner'>We use cookies</div><form><p>Subscribe</p></form><footer>(c) 2024</footer></body>";
        HtmlTextExtractor main = new HtmlTextExtractor(HtmlTextExtractor.Mode.MAIN, 100);
        assertEquals("Story\n\n" + article + "\n\nA sentence with one link inside stays.", main.extract(html, null));
        String all = body(html);
        assertTrue(all.contains("Sidebar text") && all.contains("We use cookies") && all.contains("(c) 2024"));
        assertTrue(all.contains("Related one | Related two"));
    }

    @Test
    void mainModeFallsBackToBodyBelowMinChars() {
        // main content is "Short story." (12 chars); with main_min_chars 12 it is kept, with 13 the body is used
        String html = "<body><nav>Menu entry</nav><p>Short story.</p></body>";
        assertEquals("Short story.", new HtmlTextExtractor(HtmlTextExtractor.Mode.MAIN, 12).extract(html, null));
        assertEquals("Menu entry\n\nShort story.", new HtmlTextExtractor(HtmlTextExtractor.Mode.MAIN, 13).extract(html, null));
    }

    @Test
    void linkDensityThreshold() {
        // a block exactly half link text stays; more than half is navigation
        assertEquals("abcd efgh", new HtmlTextExtractor(HtmlTextExtractor.Mode.MAIN, 0)
                .extract("<p>abcd <a>efgh</a></p>", null)); // 4 of 9 chars in the link
        assertEquals("", new HtmlTextExtractor(HtmlTextExtractor.Mode.MAIN, 0)
                .extract("<p>abc <a>defgh</a></p>", null)); // 5 of 9
        assertEquals("abcde fghij", new HtmlTextExtractor(HtmlTextExtractor.Mode.MAIN, 0)
                .extract("<p><a>abcde</a>\u00a0fghij</p>", null)); // 5 of 11
    }
}
