package ai.refinery.pipeline.filter;

import ai.refinery.core.config.ConfigError;
import ai.refinery.core.config.Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static ai.refinery.pipeline.filter.Docs.assertKept;
import static ai.refinery.pipeline.filter.Docs.assertRejected;
import static ai.refinery.pipeline.filter.Docs.docWithUrl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UrlBlocklistFilterTest {
    private final UrlBlocklistFilter filter = new UrlBlocklistFilter(
            List.of("example-adult-site.com", ".Spam.Example.org."), List.of("casino", "Porn"));

    @Test
    void blockedDomainsAndTheirSubdomains() {
        assertRejected(filter.apply(docWithUrl("http://example-adult-site.com/x")), "blocked_domain", "example-adult-site.com");
        assertRejected(filter.apply(docWithUrl("https://WWW.Example-Adult-Site.com:8080/a")), "blocked_domain", "example-adult-site.com");
        assertRejected(filter.apply(docWithUrl("http://user:pw@deep.sub.spam.example.org./")), "blocked_domain", "spam.example.org");
        assertRejected(filter.apply(docWithUrl("//example-adult-site.com/")), "blocked_domain", "example-adult-site.com");
        assertRejected(filter.apply(docWithUrl(" example-adult-site.com/path ")), "blocked_domain", "example-adult-site.com");
    }

    @Test
    void similarHostsAreNotBlocked() {
        assertKept(filter.apply(docWithUrl("http://notexample-adult-site.com/")));
        assertKept(filter.apply(docWithUrl("http://example-adult-site.com.evil.org/")));
        assertKept(filter.apply(docWithUrl("http://example.org/?ref=example-adult-site.com")));
        assertKept(filter.apply(docWithUrl("http://example.org/")));
    }

    @Test
    void documentsWithoutUrlAreKept() {
        assertKept(filter.apply(docWithUrl(null)));
        assertKept(filter.apply(docWithUrl("  ")));
    }

    @Test
    void bannedWordsAreTokensOfHostAndPath() {
        assertRejected(filter.apply(docWithUrl("http://best-casino.example.net/")), "banned_url_word", "casino");
        assertRejected(filter.apply(docWithUrl("http://example.net/Free/PORN_videos")), "banned_url_word", "porn");
        // A longer word is not the banned word; query and fragment are not looked at.
        assertKept(filter.apply(docWithUrl("http://example.net/casinos")));
        assertKept(filter.apply(docWithUrl("http://example.net/page?q=casino#casino")));
    }

    @Test
    void defaultListFromTheClasspath() {
        UrlBlocklistFilter defaults = UrlBlocklistFilter.fromConfig(Settings.defaults());
        assertEquals(3, defaults.domainCount());
        assertRejected(defaults.apply(docWithUrl("https://a.spam.example.org/")), "blocked_domain", "spam.example.org");
        assertKept(defaults.apply(docWithUrl("https://example.org/")));
    }

    @Test
    void listFromALocalPathOrAHadoopUri(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("domains.txt");
        Files.writeString(file, "# blocked\nBad.Example\n\n  worse.example  # trailing comment\n");
        for (String location : List.of(file.toString(), file.toUri().toString())) {
            UrlBlocklistFilter f = UrlBlocklistFilter.fromConfig(Settings.load(null, List.of(
                    "filter.url_blocklist.domains_file=" + location, "filter.url_blocklist.banned_url_words=[slots]")));
            assertEquals(2, f.domainCount(), location);
            assertRejected(f.apply(docWithUrl("http://www.bad.example/")), "blocked_domain", "bad.example");
            assertRejected(f.apply(docWithUrl("http://worse.example/")), "blocked_domain", "worse.example");
            assertRejected(f.apply(docWithUrl("http://ok.example/free-slots")), "banned_url_word", "slots");
        }
        UrlBlocklistFilter none = UrlBlocklistFilter.fromConfig(Settings.load(null, List.of("filter.url_blocklist.domains_file=\"\"")));
        assertEquals(0, none.domainCount());
    }

    @Test
    void missingListNamesTheKey(@TempDir Path dir) {
        for (String location : List.of(dir.resolve("missing.txt").toString(), "classpath:refinery/no-such-list.txt")) {
            ConfigError e = assertThrows(ConfigError.class, () -> UrlBlocklistFilter.fromConfig(
                    Settings.load(null, List.of("filter.url_blocklist.domains_file=" + location))));
            assertTrue(e.getMessage().startsWith("filter.url_blocklist.domains_file: "), e.getMessage());
        }
    }
}
