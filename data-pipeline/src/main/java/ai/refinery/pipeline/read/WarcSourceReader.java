package ai.refinery.pipeline.read;

import ai.refinery.pipeline.doc.Document;
import ai.refinery.pipeline.doc.DocumentIds;
import ai.refinery.pipeline.extract.PayloadExtractor;
import ai.refinery.pipeline.filter.Outcome;
import org.netpreserve.jwarc.HttpResponse;
import org.netpreserve.jwarc.MediaType;
import org.netpreserve.jwarc.WarcCaptureRecord;
import org.netpreserve.jwarc.WarcRecord;
import org.netpreserve.jwarc.WarcResponse;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.channels.Channels;
import java.util.Iterator;
import java.util.Optional;
import java.util.Set;

/**
 * WARC and WET files, plain or gzip-compressed (per record, as Common Crawl writes them, or whole-file). Every
 * {@code response} and {@code resource} record with an HTML or text payload and every {@code conversion} record (the
 * text records of WET files) is one document; {@code request}, {@code metadata}, {@code warcinfo}, {@code revisit} and
 * {@code continuation} records describe captures rather than carry pages, so they are not input documents and are
 * skipped. Record framing and damage recovery are ours ({@link WarcFramer}, {@link GzipMemberInputStream}); each
 * record's headers and HTTP message are parsed by jwarc, which also undoes chunked transfer and content encodings.
 */
public final class WarcSourceReader implements SourceReader {
    private static final Set<String> DOCUMENT_TYPES = Set.of("response", "resource", "conversion");

    private final SourceFormat format;

    public WarcSourceReader(SourceFormat format) {
        if (format != SourceFormat.WARC && format != SourceFormat.WET) {
            throw new IllegalArgumentException("not a WARC format: " + format);
        }
        this.format = format;
    }

    @Override
    public Iterator<Outcome> read(String source, InputStream in, ReadOptions options) throws IOException {
        InputStream data = StreamSupport.maybeGunzip(in);
        PayloadExtractor extractor = PayloadExtractor.of(options.htmlMode(), options.mainMinChars(), options.defaultCharset());
        return new Records(source, data, options, extractor);
    }

    private final class Records extends RecordIterator {
        private final String source;
        private final InputStream data;
        private final WarcFramer framer;
        private final ReadOptions options;
        private final PayloadExtractor extractor;

        Records(String source, InputStream data, ReadOptions options, PayloadExtractor extractor) {
            super(data);
            this.source = source;
            this.data = data;
            this.framer = new WarcFramer(data);
            this.options = options;
            this.extractor = extractor;
        }

        /** The next outcome, or null when the event produced none (a skipped record type, the end). */
        @Override
        Outcome advance() {
            WarcFramer.Event event;
            try {
                event = framer.next();
            } catch (DamagedInputException e) {
                framer.discardBuffered();
                return unreadableAt("raw-offset:" + e.offset(), e.getMessage());
            } catch (IOException e) {
                finish();
                return unreadableAt("offset:" + framer.offset(), "read error: " + e.getMessage());
            }
            if (event instanceof WarcFramer.End) {
                finish();
                return null;
            }
            if (event instanceof WarcFramer.Garbage g) {
                String detail = g.why() + " (" + g.length() + " bytes at offset " + g.offset() + ")";
                return g.recordId() != null ? reject(g.recordId(), null, null, RejectReasons.UNREADABLE, detail)
                        : unreadableAt("offset:" + g.offset(), detail);
            }
            WarcFramer.Record rec = (WarcFramer.Record) event;
            try {
                return record(rec);
            } catch (DamagedInputException e) {
                framer.discardBuffered();
                return recordReject(rec, null, null, RejectReasons.UNREADABLE, e.getMessage());
            } catch (IOException | RuntimeException e) {
                // jwarc parse errors and anything else about this one record; the framer skips its block
                return recordReject(rec, null, null, RejectReasons.UNREADABLE,
                        e.getClass().getSimpleName() + ": " + e.getMessage());
            }
        }

        private Outcome record(WarcFramer.Record rec) throws IOException {
            InputStream recordBytes = new SequenceInputStream(new ByteArrayInputStream(rec.header()), rec.block());
            org.netpreserve.jwarc.WarcReader reader = new org.netpreserve.jwarc.WarcReader(Channels.newChannel(recordBytes));
            reader.setLenient(true);
            Optional<WarcRecord> parsed = reader.next();
            if (parsed.isEmpty()) {
                return recordReject(rec, null, null, RejectReasons.UNREADABLE, "no WARC record in header");
            }
            WarcRecord r = parsed.get();
            if (!DOCUMENT_TYPES.contains(r.type())) {
                return null;
            }
            String url = r instanceof WarcCaptureRecord c ? c.target() : r.headers().first("WARC-Target-URI").orElse(null);
            String date = r.headers().first("WARC-Date").orElse(null);
            if (rec.contentLength() > options.maxRecordBytes()) {
                return recordReject(rec, url, date, RejectReasons.TOO_LARGE, "record of " + rec.contentLength()
                        + " bytes > input.max_record_bytes " + options.maxRecordBytes());
            }
            String mediaType;
            InputStream body;
            if (r instanceof WarcResponse resp && isHttp(r.contentType())) {
                HttpResponse http = resp.http();
                mediaType = http.headers().first("Content-Type")
                        .or(() -> resp.identifiedPayloadType().map(MediaType::toString)).orElse(null);
                body = http.bodyDecoded().stream();
            } else {
                mediaType = r.headers().first("Content-Type").orElse(null);
                body = r.body().stream();
            }
            Payloads.Capped payload = Payloads.read(body, options.maxRecordBytes());
            if (payload == null) {
                return recordReject(rec, url, date, RejectReasons.TOO_LARGE,
                        "decoded payload > input.max_record_bytes " + options.maxRecordBytes());
            }
            PayloadExtractor.Result result = extractor.extract(payload.data(), payload.length(), mediaType, url);
            switch (result.status()) {
                case NOT_TEXT:
                    return recordReject(rec, url, date, RejectReasons.NOT_TEXT, result.detail());
                case EMPTY:
                    return recordReject(rec, url, date, RejectReasons.EMPTY, result.detail());
                default:
                    return Outcome.keep(document(rec, url, date, result.text()));
            }
        }

        private boolean isHttp(MediaType type) {
            return type != null && type.base().toString().equalsIgnoreCase("application/http");
        }

        private Document document(WarcFramer.Record rec, String url, String date, String text) {
            if (rec.recordId() != null) {
                return Document.of(DocumentIds.of(source, rec.recordId(), true), text, url, source, format.code(),
                        rec.recordId(), date);
            }
            String locator = "offset:" + rec.offset();
            return Document.of(DocumentIds.of(source, locator, false), text, url, source, format.code(), locator, date);
        }

        private Outcome recordReject(WarcFramer.Record rec, String url, String date, String reason, String detail) {
            return Outcome.reject(document(rec, url, date, ""), reason, detail);
        }

        private Outcome reject(String recordId, String url, String date, String reason, String detail) {
            Document d = Document.of(DocumentIds.of(source, recordId, true), "", url, source, format.code(), recordId, date);
            return Outcome.reject(d, reason, detail);
        }

        private Outcome unreadableAt(String locator, String detail) {
            Document d = Document.of(DocumentIds.of(source, locator, false), "", null, source, format.code(), locator, null);
            return Outcome.reject(d, RejectReasons.UNREADABLE, detail);
        }

    }
}
