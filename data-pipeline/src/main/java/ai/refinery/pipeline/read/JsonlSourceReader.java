package ai.refinery.pipeline.read;

import ai.refinery.pipeline.doc.Document;
import ai.refinery.pipeline.doc.DocumentIds;
import ai.refinery.pipeline.filter.Outcome;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Iterator;

/**
 * JSON Lines (plain or gzip): each non-blank line is one document, a JSON object with the text in
 * {@code input.text_field} and optionally an id ({@code input.id_field}, used as is) and a URL
 * ({@code input.url_field}). Without an id the document's id is derived from the file and the line number. A line
 * that is not such an object is an {@code unreadable} rejection; a line longer than {@code input.max_record_bytes}
 * is {@code too-large} and is skipped without being held in memory.
 */
public final class JsonlSourceReader implements SourceReader {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int DETAIL_MAX = 200;

    @Override
    public Iterator<Outcome> read(String source, InputStream in, ReadOptions options) throws IOException {
        return new Lines(source, StreamSupport.maybeGunzip(in), options);
    }

    private static final class Lines extends RecordIterator {
        private final String source;
        private final InputStream in;
        private final ReadOptions options;
        private final byte[] buf = new byte[64 * 1024];
        private int pos;
        private int lim;
        private boolean eof;
        private long lineNo;
        private byte[] line = new byte[1024];

        Lines(String source, InputStream in, ReadOptions options) {
            super(in);
            this.source = source;
            this.in = in;
            this.options = options;
        }

        @Override
        Outcome advance() {
            int len;
            long number = lineNo + 1;
            try {
                len = readLine();
            } catch (DamagedInputException e) {
                lineNo = number;
                pos = lim; // the partial line belongs to the damaged stretch
                return reject(number, null, RejectReasons.UNREADABLE, e.getMessage());
            } catch (IOException e) {
                finish();
                return reject(number, null, RejectReasons.UNREADABLE, "read error: " + e.getMessage());
            }
            if (len == -1) {
                finish();
                return null;
            }
            lineNo = number;
            if (len == -2) {
                return reject(number, null, RejectReasons.TOO_LARGE,
                        "line longer than input.max_record_bytes " + options.maxRecordBytes());
            }
            int start = 0;
            if (number == 1 && len >= 3 && (line[0] & 0xFF) == 0xEF && (line[1] & 0xFF) == 0xBB && (line[2] & 0xFF) == 0xBF) {
                start = 3;
            }
            if (isBlank(line, start, len)) {
                return null; // blank lines separate nothing and hold no record
            }
            JsonNode node;
            try {
                node = MAPPER.readTree(line, start, len - start);
            } catch (JsonProcessingException e) {
                return reject(number, null, RejectReasons.UNREADABLE, "invalid JSON: " + shorten(e.getOriginalMessage()));
            } catch (IOException e) {
                return reject(number, null, RejectReasons.UNREADABLE, "invalid JSON: " + shorten(e.getMessage()));
            }
            if (node == null || !node.isObject()) {
                return reject(number, null, RejectReasons.UNREADABLE, "line is not a JSON object");
            }
            String id = scalar(node.get(options.idField()));
            String url = scalar(node.get(options.urlField()));
            JsonNode textNode = node.get(options.textField());
            String locator = "line:" + number;
            String docId = id != null ? id : DocumentIds.of(source, locator, false);
            if (textNode == null || textNode.isNull()) {
                return Outcome.reject(Document.of(docId, "", url, source, SourceFormat.JSONL.code(), locator, null),
                        RejectReasons.UNREADABLE, "no field '" + options.textField() + "'");
            }
            if (!textNode.isTextual()) {
                return Outcome.reject(Document.of(docId, "", url, source, SourceFormat.JSONL.code(), locator, null),
                        RejectReasons.UNREADABLE, "field '" + options.textField() + "' is not a string");
            }
            String text = textNode.textValue();
            if (text.isBlank()) {
                return Outcome.reject(Document.of(docId, "", url, source, SourceFormat.JSONL.code(), locator, null),
                        RejectReasons.EMPTY, "field '" + options.textField() + "' is empty");
            }
            return Outcome.keep(Document.of(docId, text, url, source, SourceFormat.JSONL.code(), locator, null));
        }

        private static String scalar(JsonNode n) {
            if (n == null || n.isNull() || n.isContainerNode()) {
                return null;
            }
            String s = n.asText();
            return s.isEmpty() ? null : s;
        }

        private Outcome reject(long number, String url, String reason, String detail) {
            String locator = "line:" + number;
            Document d = Document.of(DocumentIds.of(source, locator, false), "", url, source, SourceFormat.JSONL.code(),
                    locator, null);
            return Outcome.reject(d, reason, detail);
        }

        private static String shorten(String s) {
            if (s == null) {
                return "";
            }
            return s.length() <= DETAIL_MAX ? s : s.substring(0, DETAIL_MAX) + "...";
        }

        private static boolean isBlank(byte[] b, int from, int to) {
            for (int i = from; i < to; i++) {
                if (b[i] != ' ' && b[i] != '\t' && b[i] != '\r' && b[i] != '\n') {
                    return false;
                }
            }
            return true;
        }

        /** Reads the next line into {@code line}; its length, -1 at the end, -2 when it is over the cap (skipped). */
        private int readLine() throws IOException {
            long cap = options.maxRecordBytes();
            int len = 0;
            boolean over = false;
            boolean any = false;
            while (true) {
                if (pos == lim) {
                    if (eof || !fill()) {
                        return any ? (over ? -2 : len) : -1;
                    }
                }
                any = true;
                int nl = -1;
                for (int i = pos; i < lim; i++) {
                    if (buf[i] == '\n') {
                        nl = i;
                        break;
                    }
                }
                int end = nl < 0 ? lim : nl;
                int chunk = end - pos;
                if (!over) {
                    if (len + (long) chunk > cap) {
                        over = true;
                        line = new byte[1024]; // release a large buffer
                    } else {
                        if (len + chunk > line.length) {
                            line = Arrays.copyOf(line, (int) Math.min(cap, Math.max(len + chunk, line.length * 2L)));
                        }
                        System.arraycopy(buf, pos, line, len, chunk);
                        len += chunk;
                    }
                }
                pos = end;
                if (nl >= 0) {
                    pos = nl + 1;
                    return over ? -2 : len;
                }
            }
        }

        private boolean fill() throws IOException {
            pos = 0;
            lim = 0;
            int r = in.read(buf, 0, buf.length);
            if (r < 0) {
                eof = true;
                return false;
            }
            lim = r;
            return true;
        }

    }
}
