package ai.refinery.pipeline.read;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.UnsupportedFileSystemException;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Resolves the {@code --input} values to files, and opens them, through Hadoop FileSystem (file:, hdfs:, s3a:, ...). */
public final class InputFiles {
    private InputFiles() {
    }

    /** One input file, the format it is read as, and its size in bytes. */
    public record InputFile(String uri, SourceFormat format, long length) implements Serializable {
    }

    /** The files found, sorted by URI and without repeats, and the inputs that matched no file. */
    public record Resolution(List<InputFile> files, List<String> unmatched) {
        public long totalBytes() {
            return files.stream().mapToLong(InputFile::length).sum();
        }

        /** For manifest.json: each file with its format and size. */
        public List<Map<String, Object>> describe() {
            List<Map<String, Object>> out = new ArrayList<>();
            for (InputFile f : files) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("uri", f.uri());
                m.put("format", f.format().code());
                m.put("bytes", f.length());
                out.add(m);
            }
            return out;
        }
    }

    /**
     * Each input may be a comma-separated list of files, folders (read recursively; names starting with '.' or
     * '_' such as _SUCCESS, .crc files and _temporary/ are skipped) and globs. An input that matches nothing
     * (missing path, empty folder, glob without matches, unknown file system scheme) is returned in
     * {@link Resolution#unmatched()} rather than thrown, for the caller to report.
     *
     * @param formatSetting {@code input.format}: "auto" (each file's format from its name) or a format code
     */
    public static Resolution resolve(List<String> inputs, Configuration conf, String formatSetting) throws IOException {
        boolean auto = formatSetting == null || formatSetting.equalsIgnoreCase("auto");
        SourceFormat forced = auto ? null : SourceFormat.fromCode(formatSetting);
        TreeMap<String, InputFile> found = new TreeMap<>();
        List<String> unmatched = new ArrayList<>();
        for (String input : inputs) {
            for (String part : input.split(",")) {
                String spec = part.trim();
                if (spec.isEmpty()) {
                    continue;
                }
                List<FileStatus> files = new ArrayList<>();
                try {
                    Path path = new Path(spec);
                    FileSystem fs = path.getFileSystem(conf);
                    FileStatus[] matches = fs.globStatus(path);
                    boolean glob = isGlob(spec);
                    if (matches != null) {
                        for (FileStatus m : matches) {
                            if (glob && hidden(m.getPath().getName())) {
                                continue;
                            }
                            collect(fs, m, files);
                        }
                    }
                } catch (FileNotFoundException | UnsupportedFileSystemException | IllegalArgumentException e) {
                    files.clear();
                } catch (IOException e) {
                    if (e.getMessage() != null && e.getMessage().startsWith("No FileSystem for scheme")) {
                        files.clear();
                    } else {
                        throw e;
                    }
                }
                if (files.isEmpty()) {
                    unmatched.add(spec);
                }
                for (FileStatus f : files) {
                    String uri = f.getPath().toString();
                    SourceFormat format = forced != null ? forced : SourceFormat.fromFileName(f.getPath().getName());
                    found.putIfAbsent(uri, new InputFile(uri, format, f.getLen()));
                }
            }
        }
        return new Resolution(List.copyOf(found.values()), List.copyOf(unmatched));
    }

    private static void collect(FileSystem fs, FileStatus status, List<FileStatus> out) throws IOException {
        if (!status.isDirectory()) {
            // one spelling per file (file:/x, not also file:///x), so that repeats collapse and ids stay stable
            status.setPath(fs.makeQualified(status.getPath()));
            out.add(status);
            return;
        }
        FileStatus[] children = fs.listStatus(status.getPath());
        for (FileStatus child : children) {
            if (!hidden(child.getPath().getName())) {
                collect(fs, child, out);
            }
        }
    }

    static boolean hidden(String name) {
        return name.startsWith(".") || name.startsWith("_");
    }

    private static boolean isGlob(String spec) {
        return spec.indexOf('*') >= 0 || spec.indexOf('?') >= 0 || spec.indexOf('[') >= 0 || spec.indexOf('{') >= 0;
    }

    /**
     * Opens a file for a {@link SourceReader}. Gzip stays compressed: every reader detects gzip itself and reads
     * it member by member so that damage is reported and survived (jwarc would also autodetect it). Other codecs
     * Hadoop knows by suffix (.bz2, .zst, .deflate, ...) are decompressed here.
     */
    public static InputStream openForReader(String uri, Configuration conf) throws IOException {
        if (uri.toLowerCase(Locale.ROOT).endsWith(".gz")) {
            return open(uri, conf, false);
        }
        return open(uri, conf, true);
    }

    /** Opens a file through Hadoop FileSystem, decompressed by its suffix (.gz, .bz2, ...) when asked. */
    public static InputStream open(String uri, Configuration conf, boolean decompress) throws IOException {
        Path path = new Path(uri);
        FileSystem fs = path.getFileSystem(conf);
        InputStream raw = fs.open(path);
        if (!decompress) {
            return raw;
        }
        CompressionCodec codec = new CompressionCodecFactory(conf).getCodec(path);
        if (codec == null) {
            return raw;
        }
        try {
            return codec.createInputStream(raw);
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }
}
