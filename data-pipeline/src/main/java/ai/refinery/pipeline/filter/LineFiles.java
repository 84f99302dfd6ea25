package ai.refinery.pipeline.filter;

import ai.refinery.core.config.ConfigError;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads word and domain lists: one entry per line, '#' starts a comment, blank lines are skipped, entries are
 * trimmed. A location is "classpath:some/resource", a local path, or any Hadoop FS path or URI (hdfs:, s3a:,
 * file:).
 */
final class LineFiles {
    static final String CLASSPATH = "classpath:";

    private LineFiles() {
    }

    static List<String> read(String location, String key) {
        List<String> entries = new ArrayList<>();
        forEachEntry(location, key, entries::add);
        return entries;
    }

    /** Streams the entries, so a list of millions of domains is never held as Strings all at once. */
    static void forEachEntry(String location, String key, Consumer<String> sink) {
        try (InputStream in = open(location, key);
             BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                int hash = line.indexOf('#');
                String entry = (hash >= 0 ? line.substring(0, hash) : line).strip();
                if (!entry.isEmpty()) {
                    sink.accept(entry);
                }
            }
        } catch (IOException e) {
            throw ConfigError.forKey(key, "cannot read '" + location + "': " + e.getMessage());
        }
    }

    private static InputStream open(String location, String key) throws IOException {
        if (location.startsWith(CLASSPATH)) {
            String resource = location.substring(CLASSPATH.length());
            while (resource.startsWith("/")) {
                resource = resource.substring(1);
            }
            InputStream in = LineFiles.class.getClassLoader().getResourceAsStream(resource);
            if (in == null) {
                throw ConfigError.forKey(key, "no such classpath resource: '" + resource + "'");
            }
            return in;
        }
        if (!location.contains(":")) {
            java.nio.file.Path local = java.nio.file.Path.of(location);
            if (Files.isRegularFile(local)) {
                return Files.newInputStream(local);
            }
        }
        Path path = new Path(location);
        FileSystem fs = path.getFileSystem(new Configuration());
        if (!fs.exists(path)) {
            throw ConfigError.forKey(key, "no such file: '" + location + "'");
        }
        return fs.open(path);
    }
}
