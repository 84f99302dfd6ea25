package ai.refinery.pipeline.read;

import ai.refinery.pipeline.doc.Document;
import ai.refinery.pipeline.doc.DocumentIds;
import ai.refinery.pipeline.extract.PayloadExtractor;
import ai.refinery.pipeline.filter.Outcome;

import java.io.IOException;
import java.io.InputStream;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * A plain text file (plain or gzip) is one document. Its charset is a byte-order mark's, else
 * {@code extract.default_charset}. Files named .html/.htm/.xhtml get HTML extraction (and their {@code <meta>}
 * charset); binary files are {@code not-text}; a file over {@code input.max_record_bytes} is {@code too-large}
 * (read up to the cap only); an empty (zero-byte) file holds no record.
 */
public final class TextSourceReader implements SourceReader {
    static final String LOCATOR = "file";

    @Override
    public Iterator<Outcome> read(String source, InputStream in, ReadOptions options) throws IOException {
        Outcome outcome;
        try (InputStream data = StreamSupport.maybeGunzip(in)) {
            outcome = readOne(source, data, options);
        }
        return outcome == null ? Collections.emptyIterator() : List.of(outcome).iterator();
    }

    private static Outcome readOne(String source, InputStream data, ReadOptions options) {
        Document empty = Document.of(DocumentIds.of(source, LOCATOR, false), "", null, source,
                SourceFormat.TEXT.code(), LOCATOR, null);
        Payloads.Capped payload;
        try {
            payload = Payloads.read(data, options.maxRecordBytes());
        } catch (IOException e) {
            return Outcome.reject(empty, RejectReasons.UNREADABLE, e.getMessage());
        }
        if (payload == null) {
            return Outcome.reject(empty, RejectReasons.TOO_LARGE, "file larger than input.max_record_bytes "
                    + options.maxRecordBytes());
        }
        if (payload.length() == 0) {
            return null;
        }
        PayloadExtractor extractor = PayloadExtractor.of(options.htmlMode(), options.mainMinChars(), options.defaultCharset());
        PayloadExtractor.Result r = extractor.extract(payload.data(), payload.length(), mediaTypeOf(source), null);
        return switch (r.status()) {
            case NOT_TEXT -> Outcome.reject(empty, RejectReasons.NOT_TEXT, r.detail());
            case EMPTY -> Outcome.reject(empty, RejectReasons.EMPTY, r.detail());
            case TEXT -> Outcome.keep(empty.withText(r.text()));
        };
    }

    static String mediaTypeOf(String source) {
        String n = source.toLowerCase(Locale.ROOT);
        if (n.endsWith(".gz")) {
            n = n.substring(0, n.length() - 3);
        }
        return n.endsWith(".html") || n.endsWith(".htm") || n.endsWith(".xhtml") ? "text/html" : "text/plain";
    }
}
