package ai.refinery.pipeline.filter;

import ai.refinery.core.config.Section;
import ai.refinery.pipeline.doc.Document;
import ai.refinery.pipeline.text.Chars;
import ai.refinery.pipeline.text.Hashing;
import ai.refinery.pipeline.text.WordSet;
import com.typesafe.config.Config;

import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * RefinedWeb's URL filtering: reject documents whose host is a blocked domain or a subdomain of one, or whose
 * URL contains a banned word as a token of its host or path. Documents without a URL are kept.
 *
 * <p>Domains are held as hashes ({@link WordSet}), so a list of millions of domains (RefinedWeb used the
 * 4.6M-domain UT1 list) costs 8 bytes per domain and ships to executors as one array.
 */
public final class UrlBlocklistFilter implements DocumentFilter {
    private static final long serialVersionUID = 1L;
    public static final String NAME = "url_blocklist";

    private final WordSet domains;
    private final WordSet bannedWords;

    /**
     * @param domains     blocked domains, e.g. "example.com" (also blocks "www.example.com")
     * @param bannedWords words that reject a URL when they are a token of its host or path (case-insensitive)
     */
    public UrlBlocklistFilter(Collection<String> domains, Collection<String> bannedWords) {
        this(WordSet.of(domains.stream().map(UrlBlocklistFilter::normaliseDomain).toList()), WordSet.of(bannedWords));
    }

    private UrlBlocklistFilter(WordSet domains, WordSet bannedWords) {
        this.domains = domains;
        this.bannedWords = bannedWords;
    }

    public static UrlBlocklistFilter fromConfig(Config config) {
        Section section = new Section(config, "filter." + NAME);
        String file = section.string("domains_file").strip();
        List<String> banned = section.strings("banned_url_words");
        WordSet domains;
        if (file.isEmpty()) {
            domains = WordSet.of(List.of());
        } else {
            long[][] buffer = {new long[1024]};
            int[] count = {0};
            LineFiles.forEachEntry(file, section.key("domains_file"), entry -> {
                if (count[0] == buffer[0].length) {
                    buffer[0] = java.util.Arrays.copyOf(buffer[0], count[0] * 2);
                }
                buffer[0][count[0]++] = Hashing.hashLower(normaliseDomain(entry));
            });
            domains = WordSet.fromHashes(buffer[0], count[0]);
        }
        return new UrlBlocklistFilter(domains, WordSet.of(banned));
    }

    @Override
    public String name() {
        return NAME;
    }

    /** Number of distinct blocked domains. */
    public int domainCount() {
        return domains.size();
    }

    @Override
    public Outcome apply(Document document) {
        String url = document.url();
        if (url == null || url.isBlank()) {
            return Outcome.keep(document);
        }
        int[] host = hostBounds(url);
        int hostStart = host[0];
        int hostEnd = host[1];
        if (!domains.isEmpty() && hostEnd > hostStart) {
            // The host itself, then each parent domain: a.b.example.com, b.example.com, example.com, com.
            int s = hostStart;
            while (s < hostEnd) {
                if (domains.contains(url, s, hostEnd)) {
                    return Outcome.reject(document, "blocked_domain", url.substring(s, hostEnd).toLowerCase(Locale.ROOT));
                }
                int dot = url.indexOf('.', s);
                if (dot < 0 || dot >= hostEnd) {
                    break;
                }
                s = dot + 1;
            }
        }
        if (!bannedWords.isEmpty()) {
            // Tokens of the host and path: maximal runs of letters and digits ("free-casino.com/slots" gives
            // free, casino, com, slots). Query and fragment are left out: they carry tracking noise.
            int end = host[2];
            int i = hostStart;
            while (i < end) {
                while (i < end && !Character.isLetterOrDigit(url.charAt(i))) {
                    i++;
                }
                int start = i;
                while (i < end && Character.isLetterOrDigit(url.charAt(i))) {
                    i++;
                }
                if (i > start && bannedWords.contains(url, start, i)) {
                    return Outcome.reject(document, "banned_url_word", url.substring(start, i).toLowerCase(Locale.ROOT));
                }
            }
        }
        return Outcome.keep(document);
    }

    /**
     * {host start, host end, path end} of a URL: the host without scheme, user info, port or trailing dot;
     * the path ends at '?' or '#'. Parsed by hand because crawled URLs are often not valid java.net.URIs.
     */
    static int[] hostBounds(String url) {
        int length = Chars.trimEnd(url, 0, url.length());
        int start = Chars.trimStart(url, 0, length);
        int scheme = url.indexOf("://", start);
        if (scheme >= 0 && isScheme(url, start, scheme)) {
            start = scheme + 3;
        } else if (url.startsWith("//", start)) {
            start += 2;
        }
        int authorityEnd = start;
        while (authorityEnd < length && "/?#".indexOf(url.charAt(authorityEnd)) < 0) {
            authorityEnd++;
        }
        int hostStart = start;
        int at = url.lastIndexOf('@', authorityEnd - 1);
        if (at >= start) {
            hostStart = at + 1;
        }
        int hostEnd = authorityEnd;
        int colon = url.indexOf(':', hostStart);
        if (colon >= 0 && colon < hostEnd && url.charAt(hostStart) != '[') {
            hostEnd = colon;
        }
        while (hostEnd > hostStart && url.charAt(hostEnd - 1) == '.') {
            hostEnd--;
        }
        int pathEnd = authorityEnd;
        while (pathEnd < length && url.charAt(pathEnd) != '?' && url.charAt(pathEnd) != '#') {
            pathEnd++;
        }
        return new int[] {hostStart, hostEnd, pathEnd};
    }

    private static boolean isScheme(String url, int start, int end) {
        if (end == start) {
            return false;
        }
        for (int i = start; i < end; i++) {
            char c = url.charAt(i);
            if (!(Character.isLetterOrDigit(c) || c == '+' || c == '-' || c == '.')) {
                return false;
            }
        }
        return true;
    }

    private static String normaliseDomain(String entry) {
        String domain = entry.strip().toLowerCase(Locale.ROOT);
        while (domain.startsWith(".")) {
            domain = domain.substring(1);
        }
        while (domain.endsWith(".")) {
            domain = domain.substring(0, domain.length() - 1);
        }
        return domain;
    }
}
