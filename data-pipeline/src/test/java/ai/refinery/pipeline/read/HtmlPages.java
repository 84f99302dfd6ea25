package ai.refinery.pipeline.read;

import org.netpreserve.jwarc.WarcReader;
import org.netpreserve.jwarc.WarcRecord;
import org.netpreserve.jwarc.WarcResponse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Test helper: the HTML payloads of a WARC file's response records, read with jwarc alone. */
final class HtmlPages {
    private HtmlPages() {
    }

    static List<String> of(Path warc) throws IOException {
        List<String> out = new ArrayList<>();
        try (WarcReader reader = new WarcReader(warc)) {
            for (WarcRecord r : reader) {
                if (r instanceof WarcResponse resp && resp.http().contentType().base().toString().equals("text/html")) {
                    out.add(new String(resp.http().body().stream().readAllBytes(), StandardCharsets.UTF_8));
                }
            }
        }
        return out;
    }
}
