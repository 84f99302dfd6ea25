package ai.refinery.pipeline.read;

import java.util.Locale;

/** The input formats Refinery reads. */
public enum SourceFormat {
    WARC, WET, JSONL, TEXT, PARQUET;

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static SourceFormat fromCode(String code) {
        return valueOf(code.toUpperCase(Locale.ROOT));
    }

    /** The format a file name implies (compression suffixes ignored); text when nothing else matches. */
    public static SourceFormat fromFileName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        for (String compressed : new String[] {".gz", ".zst", ".bz2"}) {
            if (n.endsWith(compressed)) {
                n = n.substring(0, n.length() - compressed.length());
            }
        }
        if (n.endsWith(".wet")) {
            return WET;
        }
        if (n.endsWith(".warc") || n.endsWith(".arc")) {
            return WARC;
        }
        if (n.endsWith(".jsonl") || n.endsWith(".json") || n.endsWith(".ndjson")) {
            return JSONL;
        }
        if (n.endsWith(".parquet")) {
            return PARQUET;
        }
        return TEXT;
    }
}
