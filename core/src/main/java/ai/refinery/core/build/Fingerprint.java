package ai.refinery.core.build;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.typesafe.config.Config;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What a stage's output depends on: the command and its options (references to other stages by name, not by
 * path), the resolved settings, the listing of its inputs (file names, sizes and modification times), the
 * fingerprints of the stages it reads, and Refinery's version. The SHA-256 of their canonical JSON is the
 * fingerprint; the build stores the whole record with the output ({@link #FILE}) so a re-run can say what changed.
 */
public final class Fingerprint {
    /** Stored in the stage's output folder. */
    public static final String FILE = "fingerprint.json";

    /**
     * Settings that cannot change what a stage writes: where Spark runs, the build's own settings, and whether a
     * training run continues from its checkpoints (a resumed run reaches the same step; the build resumes on its own).
     */
    static final List<String> IGNORED_SETTINGS = List.of("spark.master", "build", "train.resume");

    private static final ObjectMapper CANONICAL = new ObjectMapper()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);
    private static final ObjectMapper PRETTY = new ObjectMapper()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).enable(SerializationFeature.INDENT_OUTPUT);

    private final Map<String, Object> parts;
    private final String hash;

    private Fingerprint(Map<String, Object> parts) {
        this.parts = parts;
        this.hash = sha256(canonical(parts));
    }

    /**
     * @param inputs   each input option's listing ({@link #listing}), by option and value
     * @param upstream the fingerprints of the stages this one reads, by stage name
     */
    public static Fingerprint of(String command, Map<String, List<String>> options, Config settings,
                                 Map<String, List<String>> inputs, Map<String, String> upstream, String version) {
        Map<String, Object> parts = new TreeMap<>();
        parts.put("command", command);
        parts.put("options", new TreeMap<>(options));
        Config kept = settings;
        for (String ignored : IGNORED_SETTINGS) {
            kept = kept.withoutPath(ignored);
        }
        parts.put("settings", flatten(kept));
        parts.put("inputs", new TreeMap<>(inputs));
        parts.put("upstream", new TreeMap<>(upstream));
        parts.put("refinery", version);
        return new Fingerprint(parts);
    }

    /** Reads a stored fingerprint record; null when it cannot be read. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> parse(String json) {
        if (json == null) {
            return null;
        }
        try {
            return CANONICAL.readValue(json, Map.class);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    public String hash() {
        return hash;
    }

    /** The record stored with the output: the hash and every part it was computed from. */
    public String toJson() {
        Map<String, Object> record = new TreeMap<>(parts);
        record.put("fingerprint", hash);
        try {
            return PRETTY.writeValueAsString(record) + "\n";
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * What differs from a stored record, in words: "settings (pack.seed: 1 -> 3)", "inputs of --input",
     * "upstream dedup", "refinery version". Empty when the hashes agree.
     */
    public List<String> differences(Map<String, Object> stored) {
        List<String> out = new ArrayList<>();
        if (stored == null) {
            out.add("no readable " + FILE);
            return out;
        }
        if (hash.equals(stored.get("fingerprint"))) {
            return out;
        }
        if (!Objects.equals(parts.get("command"), stored.get("command"))) {
            out.add("command");
        }
        if (!Objects.equals(json(parts.get("options")), json(stored.get("options")))) {
            out.add("options");
        }
        Map<?, ?> now = (Map<?, ?>) parts.get("settings");
        Map<?, ?> before = stored.get("settings") instanceof Map<?, ?> m ? m : Map.of();
        List<String> changed = new ArrayList<>();
        for (Object key : new java.util.TreeSet<Object>(union(now.keySet(), before.keySet()))) {
            if (!Objects.equals(json(now.get(key)), json(before.get(key)))) {
                changed.add(key + ": " + json(before.get(key)) + " -> " + json(now.get(key)));
            }
        }
        if (!changed.isEmpty()) {
            out.add("settings (" + String.join(", ", changed.subList(0, Math.min(3, changed.size())))
                    + (changed.size() > 3 ? ", +" + (changed.size() - 3) + " more" : "") + ")");
        }
        Map<?, ?> inputsNow = (Map<?, ?>) parts.get("inputs");
        Map<?, ?> inputsBefore = stored.get("inputs") instanceof Map<?, ?> m ? m : Map.of();
        for (Object key : new java.util.TreeSet<Object>(union(inputsNow.keySet(), inputsBefore.keySet()))) {
            if (!Objects.equals(json(inputsNow.get(key)), json(inputsBefore.get(key)))) {
                out.add("files of " + key);
            }
        }
        Map<?, ?> upNow = (Map<?, ?>) parts.get("upstream");
        Map<?, ?> upBefore = stored.get("upstream") instanceof Map<?, ?> m ? m : Map.of();
        for (Object key : new java.util.TreeSet<Object>(union(upNow.keySet(), upBefore.keySet()))) {
            if (!Objects.equals(upNow.get(key), upBefore.get(key))) {
                out.add("upstream " + key);
            }
        }
        if (!Objects.equals(parts.get("refinery"), stored.get("refinery"))) {
            out.add("refinery version " + stored.get("refinery") + " -> " + parts.get("refinery"));
        }
        if (out.isEmpty()) {
            out.add("fingerprint");
        }
        return out;
    }

    private static java.util.Set<Object> union(java.util.Set<?> a, java.util.Set<?> b) {
        java.util.Set<Object> all = new java.util.HashSet<>(a);
        all.addAll(b);
        return all;
    }

    /**
     * The files under an input (a file, a folder listed recursively, or a glob), one "relative/name size mtime"
     * line each, sorted. Names starting with '.' or '_' are skipped, as the readers skip them (Hadoop's checksum
     * files, staging folders), except a stage output's _SUCCESS marker.
     */
    public static List<String> listing(Configuration conf, String input) {
        List<String> lines = new ArrayList<>();
        try {
            Path path = new Path(input);
            FileSystem fs = path.getFileSystem(conf);
            FileStatus[] matches = fs.globStatus(path);
            if (matches == null || matches.length == 0) {
                lines.add("missing");
                return lines;
            }
            for (FileStatus match : matches) {
                String base = matches.length == 1 ? "" : match.getPath().getName() + "/";
                walk(fs, match, base, lines, true);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list input " + input, e);
        }
        java.util.Collections.sort(lines);
        return lines;
    }

    private static void walk(FileSystem fs, FileStatus status, String relative, List<String> lines, boolean top)
            throws IOException {
        if (status.isDirectory()) {
            for (FileStatus child : fs.listStatus(status.getPath())) {
                String name = child.getPath().getName();
                if ((name.startsWith(".") || name.startsWith("_")) && !name.equals("_SUCCESS")) {
                    continue;
                }
                walk(fs, child, relative + name + (child.isDirectory() ? "/" : ""), lines, false);
            }
        } else {
            String name = top && relative.isEmpty() ? status.getPath().getName() : relative;
            lines.add(name + " " + status.getLen() + " " + status.getModificationTime());
        }
    }

    /** Settings as sorted "path" -> value (JSON-like Java values), so a change names its key. */
    private static Map<String, Object> flatten(Config config) {
        Map<String, Object> flat = new TreeMap<>();
        config.entrySet().forEach(e -> flat.put(e.getKey(), e.getValue().unwrapped()));
        return flat;
    }

    private static String canonical(Object value) {
        try {
            return CANONICAL.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String json(Object value) {
        return canonical(value);
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
