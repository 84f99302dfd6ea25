package ai.refinery.pipeline.sft;

import ai.refinery.core.config.ConfigError;
import ai.refinery.pipeline.read.InputFiles;
import ai.refinery.pipeline.read.SourceFormat;
import org.apache.hadoop.conf.Configuration;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code --input} values of {@code sft-data}, each a named input: {@code NAME=PATH} names it, a bare path is
 * named after its last path element without glob characters and without its extensions ({@code data/alpaca.jsonl.gz}
 * is {@code alpaca}, {@code out/bios-qa} is {@code bios-qa}). Inputs with the same name form one input. The name
 * is the {@code source} of rows that name none, and the key of the input's weight and cap in {@code sft.mix}.
 * Plain Java, apart from listing the files.
 */
public final class SftInputs {
    /** NAME=PATH: a name of letters, digits, '_' and '-' (no '/', so a path such as data/split=train stays a path). */
    private static final Pattern NAMED = Pattern.compile("([A-Za-z0-9_-]+)=(.+)");
    private static final String[] EXTENSIONS = {".gz", ".zst", ".bz2", ".jsonl", ".json", ".ndjson", ".parquet"};

    /** One named input and the path specs (files, folders, globs) it was given. */
    public record Named(String name, List<String> paths) {
    }

    /** A named input's files: JSONL and Parquet. */
    public record Files(String name, List<String> jsonl, List<String> parquet, List<String> unmatched) {
        public int count() {
            return jsonl.size() + parquet.size();
        }
    }

    private SftInputs() {
    }

    /** The named inputs, in the order first given. */
    public static List<Named> parse(List<String> inputs) {
        Map<String, List<String>> byName = new LinkedHashMap<>();
        for (String input : inputs) {
            for (String part : input.split(",")) {
                String spec = part.trim();
                if (spec.isEmpty()) {
                    continue;
                }
                Matcher m = NAMED.matcher(spec);
                String name;
                String path;
                if (m.matches()) {
                    name = m.group(1);
                    path = m.group(2).trim();
                } else {
                    name = nameOf(spec);
                    path = spec;
                }
                byName.computeIfAbsent(name, n -> new ArrayList<>()).add(path);
            }
        }
        List<Named> out = new ArrayList<>();
        byName.forEach((name, paths) -> out.add(new Named(name, List.copyOf(paths))));
        return out;
    }

    /** The name a bare path gets. */
    static String nameOf(String spec) {
        String[] elements = spec.replace('\\', '/').split("/");
        String last = "input";
        for (int i = elements.length - 1; i >= 0; i--) {
            String e = elements[i];
            if (!e.isEmpty() && e.chars().noneMatch(c -> "*?[]{}".indexOf(c) >= 0) && !e.endsWith(":")) {
                last = e;
                break;
            }
        }
        boolean stripped = true;
        while (stripped) {
            stripped = false;
            for (String ext : EXTENSIONS) {
                if (last.length() > ext.length() && last.toLowerCase(java.util.Locale.ROOT).endsWith(ext)) {
                    last = last.substring(0, last.length() - ext.length());
                    stripped = true;
                }
            }
        }
        String name = last.replaceAll("[^A-Za-z0-9_-]", "_");
        return name.isEmpty() ? "input" : name;
    }

    /**
     * Lists each input's files: JSONL ({@code .jsonl}, {@code .json}, {@code .ndjson}, optionally compressed) and
     * Parquet; a finished stage output stands for its data/. A file claimed by an earlier input is not read twice.
     *
     * @throws ConfigError naming the input when a file is neither JSONL nor Parquet
     */
    public static List<Files> resolve(List<Named> inputs, Configuration conf) {
        List<Files> out = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (Named input : inputs) {
            InputFiles.Resolution r;
            try {
                r = InputFiles.resolve(input.paths(), conf, "auto");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list --input " + input.paths(), e);
            }
            List<String> jsonl = new ArrayList<>();
            List<String> parquet = new ArrayList<>();
            for (InputFiles.InputFile f : r.files()) {
                if (!seen.add(f.uri())) {
                    continue;
                }
                if (f.format() == SourceFormat.JSONL) {
                    jsonl.add(f.uri());
                } else if (f.format() == SourceFormat.PARQUET) {
                    parquet.add(f.uri());
                } else {
                    throw new ConfigError("--input " + input.name() + ": " + f.uri() + " is neither JSONL (.jsonl, "
                            + ".json, .ndjson, optionally .gz/.zst/.bz2) nor Parquet (.parquet)");
                }
            }
            out.add(new Files(input.name(), jsonl, parquet, r.unmatched()));
        }
        return out;
    }
}
