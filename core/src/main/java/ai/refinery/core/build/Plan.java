package ai.refinery.core.build;

import ai.refinery.core.config.ConfigError;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;

import java.io.File;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * A build plan (HOCON): the stages of a build, each a command with its options and settings, inputs given as paths
 * or as references to other stages of the plan. Plain Java: parsing, checking and ordering need no Spark.
 *
 * <pre>
 * vars { crawl = "crawl" }                     # free variables: ${vars.crawl}
 * settings { filter.language.keep = [en] }     # settings of every stage
 * stages {
 *   filter { command = filter, input = ${vars.crawl}/${date} }
 *   dedup  { command = dedup, input = "stage:filter", index = ${root}/dedup-index }
 *   tokenize { command = tokenize, input = "stage:dedup", tokenizer = "stage:tokenizer", settings { pack.seed = 3 } }
 * }
 * </pre>
 *
 * <p>Every key of a stage other than {@code command} and {@code settings} is the command's option of that name
 * ({@code input} is {@code --input}); a list repeats it, {@code true} is a flag. A value {@code "stage:NAME"} is
 * the output folder of stage NAME in the same build, and makes NAME run first. {@code ${root}} and {@code ${date}}
 * are the build's root and date; environment variables resolve as in any HOCON file.
 */
public final class Plan {
    /** The prefix of an option value that names another stage of the plan. */
    public static final String STAGE_REF = "stage:";

    private static final Set<String> TOP_LEVEL = Set.of("vars", "settings", "stages", "root", "date");
    private static final Set<String> RESERVED_OPTIONS = Set.of("output", "overwrite", "resume");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]*");

    /** One stage of the plan. */
    public record Entry(String name, String command, Map<String, List<String>> options, Config settings,
                        List<String> upstream) {
        public Entry {
            options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
            upstream = List.copyOf(upstream);
        }

        /** True when the option's value is a reference to another stage. */
        public static boolean isReference(String value) {
            return value.startsWith(STAGE_REF);
        }

        public static String referenced(String value) {
            return value.substring(STAGE_REF.length());
        }
    }

    private final String source;
    private final Config settings;
    private final List<Entry> stages;

    private Plan(String source, Config settings, List<Entry> stages) {
        this.source = source;
        this.settings = settings;
        this.stages = List.copyOf(stages);
    }

    /** Reads and checks a plan file; {@code root} and {@code date} fill {@code ${root}} and {@code ${date}}. */
    public static Plan load(File file, String root, String date) {
        if (!file.isFile()) {
            throw new ConfigError("--plan: no such file: " + file);
        }
        Config raw;
        try {
            raw = ConfigFactory.parseFile(file, ConfigParseOptions.defaults().setAllowMissing(false));
        } catch (ConfigException e) {
            throw new ConfigError("--plan " + file + ": " + e.getMessage(), e);
        }
        return parse(raw, file.toString(), root, date);
    }

    /** Reads and checks a plan from its text (tests, plans shipped in the jar). */
    public static Plan parse(String text, String source, String root, String date) {
        Config raw;
        try {
            raw = ConfigFactory.parseString(text, ConfigParseOptions.defaults().setOriginDescription(source));
        } catch (ConfigException e) {
            throw new ConfigError("--plan " + source + ": " + e.getMessage(), e);
        }
        return parse(raw, source, root, date);
    }

    private static Plan parse(Config raw, String source, String root, String date) {
        String where = "--plan " + source + ": ";
        for (String key : new String[] {"root", "date"}) {
            if (raw.hasPathOrNull(key)) {
                throw new ConfigError(where + "'" + key + "' is set by the build (--" + key + "); use ${" + key + "}");
            }
        }
        Config resolved;
        try {
            resolved = raw.withValue("root", ConfigValueFactory.fromAnyRef(root))
                    .withValue("date", ConfigValueFactory.fromAnyRef(date)).resolve();
        } catch (ConfigException e) {
            throw new ConfigError(where + e.getMessage(), e);
        }
        for (String key : resolved.root().keySet()) {
            if (!TOP_LEVEL.contains(key)) {
                throw new ConfigError(where + "unknown top-level key '" + key + "' (a plan has vars, settings and stages)");
            }
        }
        if (!resolved.hasPath("stages") || resolved.getValue("stages").valueType() != ConfigValueType.OBJECT
                || resolved.getObject("stages").isEmpty()) {
            throw new ConfigError(where + "'stages' must name at least one stage: stages { NAME { command = ... } }");
        }
        Config common = objectOrEmpty(resolved, "settings", where);
        Map<String, Entry> entries = new TreeMap<>();
        ConfigObject stages = resolved.getObject("stages");
        for (String name : stages.keySet()) {
            if (!NAME.matcher(name).matches()) {
                throw new ConfigError(where + "stage name '" + name + "': use letters, digits, '-' and '_' "
                        + "(it is the stage's folder name), starting with a letter or digit");
            }
            ConfigValue value = stages.get(name);
            if (value.valueType() != ConfigValueType.OBJECT) {
                throw new ConfigError(where + "stages." + name + ": expected an object { command = ..., ... }");
            }
            entries.put(name, entry(name, ((ConfigObject) value).toConfig(), where + "stages." + name));
        }
        for (Entry entry : entries.values()) {
            for (String up : entry.upstream()) {
                if (!entries.containsKey(up)) {
                    throw new ConfigError(where + "stages." + entry.name() + " refers to \"" + STAGE_REF + up
                            + "\", but the plan has no stage " + up + " (stages: " + entries.keySet() + ")");
                }
                if (up.equals(entry.name())) {
                    throw new ConfigError(where + "stages." + entry.name() + " refers to itself");
                }
            }
        }
        return new Plan(source, common, order(entries, where));
    }

    private static Entry entry(String name, Config stage, String where) {
        if (!stage.hasPath("command") || stage.getValue("command").valueType() != ConfigValueType.STRING) {
            throw new ConfigError(where + ".command: missing (the refinery command this stage runs, e.g. filter)");
        }
        String command = stage.getString("command");
        Config settings = objectOrEmpty(stage, "settings", where + ".");
        Map<String, List<String>> options = new TreeMap<>();
        Set<String> upstream = new TreeSet<>();
        for (Map.Entry<String, ConfigValue> option : stage.root().entrySet()) {
            String key = option.getKey();
            if (key.equals("command") || key.equals("settings")) {
                continue;
            }
            if (RESERVED_OPTIONS.contains(key)) {
                throw new ConfigError(where + "." + key + ": set by the build (outputs go to <root>/<date>/<stage>/)");
            }
            List<String> values = values(option.getValue(), where + "." + key);
            for (String v : values) {
                if (Entry.isReference(v)) {
                    upstream.add(Entry.referenced(v));
                }
            }
            options.put(key, values);
        }
        return new Entry(name, command, options, settings, new ArrayList<>(upstream));
    }

    private static List<String> values(ConfigValue value, String where) {
        List<String> out = new ArrayList<>();
        switch (value.valueType()) {
            case LIST -> {
                for (Object item : (List<?>) value.unwrapped()) {
                    if (item instanceof Map || item instanceof List || item == null) {
                        throw new ConfigError(where + ": expected strings, got " + value.render(ConfigRenderOptions.concise()));
                    }
                    out.add(String.valueOf(item));
                }
            }
            case STRING, NUMBER, BOOLEAN -> out.add(String.valueOf(value.unwrapped()));
            default -> throw new ConfigError(where + ": expected a value or a list, got "
                    + value.render(ConfigRenderOptions.concise()));
        }
        return out;
    }

    private static Config objectOrEmpty(Config config, String key, String where) {
        if (!config.hasPath(key)) {
            return ConfigFactory.empty();
        }
        if (config.getValue(key).valueType() != ConfigValueType.OBJECT) {
            throw new ConfigError(where + key + ": expected an object of settings { key = value }");
        }
        return config.getConfig(key);
    }

    /** Upstream before downstream; stages that do not depend on each other in name order. */
    private static List<Entry> order(Map<String, Entry> entries, String where) {
        List<Entry> ordered = new ArrayList<>();
        Set<String> done = new LinkedHashSet<>();
        Set<String> visiting = new LinkedHashSet<>();
        for (String name : entries.keySet()) {
            visit(name, entries, done, visiting, ordered, where);
        }
        return ordered;
    }

    private static void visit(String name, Map<String, Entry> entries, Set<String> done, Set<String> visiting,
                              List<Entry> ordered, String where) {
        if (done.contains(name)) {
            return;
        }
        if (!visiting.add(name)) {
            throw new ConfigError(where + "the stages' references form a cycle: " + String.join(" -> ", visiting) + " -> " + name);
        }
        for (String up : entries.get(name).upstream()) {
            visit(up, entries, done, visiting, ordered, where);
        }
        visiting.remove(name);
        done.add(name);
        ordered.add(entries.get(name));
    }

    public String source() {
        return source;
    }

    /** Settings of every stage (the plan's top-level {@code settings}). */
    public Config settings() {
        return settings;
    }

    /** The stages, every stage after the stages it refers to. */
    public List<Entry> stages() {
        return stages;
    }

    /** The stages that depend on {@code name}, directly or through others. */
    public Set<String> downstreamOf(String name) {
        Set<String> out = new TreeSet<>();
        boolean grew = true;
        while (grew) {
            grew = false;
            for (Entry e : stages) {
                if (!out.contains(e.name()) && (e.upstream().contains(name) || e.upstream().stream().anyMatch(out::contains))) {
                    grew |= out.add(e.name());
                }
            }
        }
        return out;
    }
}
