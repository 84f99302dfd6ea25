package ai.refinery.core.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Loads configuration: the defaults shipped in the jar (conf/refinery.conf), then an optional user file,
 * then {@code --set key=value} overrides, later winning. Every key a user sets must exist in the defaults
 * with a compatible type, so a typo is an error that names the key instead of a silently ignored setting.
 */
public final class Settings {
    /** Classpath location of the defaults (conf/refinery.conf is packaged there). */
    public static final String DEFAULTS_RESOURCE = "refinery/refinery.conf";

    /** Subtrees whose keys are free-form (passed through to another system, or token ids). */
    private static final String SPARK_CONF = "spark.conf";
    private static final Set<String> OPEN_SECTIONS = Set.of(SPARK_CONF, "generate.logit_bias", "sft.mix.sources");
    private static final String SPARK_PREFIX = "spark.";
    private static final String SPARK_MASTER = "spark.master";

    private Settings() {
    }

    public static Config defaults() {
        Config defaults = ConfigFactory.parseResourcesAnySyntax(Settings.class.getClassLoader(), DEFAULTS_RESOURCE,
                ConfigParseOptions.defaults().setAllowMissing(false));
        return defaults.resolve();
    }

    /**
     * @param userFile  a HOCON file or null
     * @param overrides "key=value" strings, values in HOCON syntax (strings may be unquoted; lists in [..])
     */
    public static Config load(File userFile, List<String> overrides) {
        Config defaults = defaults();
        Config user = user(userFile, overrides);
        checkKnownKeys(user, defaults);
        Config merged;
        try {
            merged = user.withFallback(defaults).resolve();
            merged.checkValid(defaults);
        } catch (ConfigException e) {
            throw new ConfigError(describe(e), e);
        }
        return merged;
    }

    /** What the user set, without the defaults: the file, then the overrides (unresolved). */
    public static Config user(File userFile, List<String> overrides) {
        Config user = ConfigFactory.empty();
        if (userFile != null) {
            if (!userFile.isFile()) {
                throw new ConfigError("--conf: no such file: " + userFile);
            }
            try {
                user = ConfigFactory.parseFile(userFile, ConfigParseOptions.defaults().setAllowMissing(false));
            } catch (ConfigException e) {
                throw new ConfigError("--conf " + userFile + ": " + e.getMessage(), e);
            }
        }
        for (String override : overrides) {
            user = parseOverride(override).withFallback(user);
        }
        return sparkPropertiesIntoSparkConf(user);
    }

    /**
     * Spark properties may be given under their own names ({@code --set spark.sql.shuffle.partitions=8}, or
     * {@code spark { sql.shuffle.partitions = 8 }} in a file) as well as under {@code spark.conf."..."}: every
     * {@code spark.*} key that is not one of Refinery's own ({@code spark.master}, {@code spark.conf}) is moved into
     * {@code spark.conf}, whose keys are passed to the session as they are.
     */
    static Config sparkPropertiesIntoSparkConf(Config user) {
        Config out = user;
        for (Map.Entry<String, ConfigValue> entry : user.entrySet()) {
            String key = entry.getKey();
            if (key.startsWith(SPARK_PREFIX) && !key.equals(SPARK_MASTER) && !isInOpenSection(key)) {
                String property = String.join(".", ConfigUtil.splitPath(key));
                out = out.withoutPath(key).withValue(SPARK_CONF + "." + ConfigUtil.quoteString(property), entry.getValue());
            }
        }
        return out;
    }

    static Config parseOverride(String override) {
        int eq = override.indexOf('=');
        if (eq <= 0) {
            throw new ConfigError("--set: expected key=value, got '" + override + "'");
        }
        String key = override.substring(0, eq).trim();
        String value = override.substring(eq + 1).trim();
        try {
            return ConfigFactory.parseString(key + " = " + hoconValue(value));
        } catch (ConfigException e) {
            throw new ConfigError("--set " + key + ": cannot parse value '" + value + "': " + e.getMessage(), e);
        }
    }

    private static String hoconValue(String value) {
        if (value.isEmpty()) {
            return "\"\"";
        }
        char first = value.charAt(0);
        if (first == '[' || first == '{' || first == '"') {
            return value;
        }
        // Unquoted strings in HOCON cannot hold characters like ':' or '#'; quote everything that is not a
        // plain number or boolean so paths and URLs pass through verbatim.
        if (value.matches("-?\\d+(\\.\\d+)?([eE][-+]?\\d+)?") || value.equals("true") || value.equals("false")
                || value.equals("null")) {
            return value;
        }
        return quote(value);
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static void checkKnownKeys(Config user, Config defaults) {
        List<String> unknown = new ArrayList<>();
        for (Map.Entry<String, ConfigValue> entry : user.entrySet()) {
            String key = entry.getKey();
            if (isInOpenSection(key)) {
                continue;
            }
            if (!defaults.hasPathOrNull(key)) {
                unknown.add(key);
            } else if (defaults.getValue(key).valueType() == ConfigValueType.OBJECT) {
                unknown.add(key + " (a section, not a value)");
            } else {
                checkType(key, defaults.getValue(key), entry.getValue());
            }
        }
        if (!unknown.isEmpty()) {
            Set<String> sorted = new TreeSet<>(unknown);
            throw new ConfigError("unknown setting" + (sorted.size() > 1 ? "s" : "") + ": " + String.join(", ", sorted)
                    + " (every setting and its default is listed in conf/refinery.conf)");
        }
    }

    /**
     * HOCON lets a string stand in for any scalar, so Typesafe's own validation accepts "many" for a number;
     * check that such strings really parse as the default's type.
     */
    private static void checkType(String key, ConfigValue expected, ConfigValue given) {
        if (given.valueType() != ConfigValueType.STRING || expected.valueType() == ConfigValueType.STRING) {
            return;
        }
        String text = String.valueOf(given.unwrapped()).trim();
        boolean ok = switch (expected.valueType()) {
            case NUMBER -> text.matches("[-+]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][-+]?\\d+)?");
            case BOOLEAN -> text.matches("(?i)true|false|yes|no|on|off");
            default -> true;
        };
        if (!ok) {
            throw ConfigError.forKey(key, "expected a " + expected.valueType().name().toLowerCase(java.util.Locale.ROOT)
                    + ", got '" + text + "'");
        }
    }

    private static boolean isInOpenSection(String key) {
        for (String open : OPEN_SECTIONS) {
            if (key.startsWith(open + ".")) {
                return true;
            }
        }
        return false;
    }

    private static String describe(ConfigException e) {
        String message = e.getMessage();
        // Typesafe prefixes messages with the origin ("String: 1: ..."); the key is what users need.
        if (e instanceof ConfigException.ValidationFailed failed) {
            StringBuilder sb = new StringBuilder();
            failed.problems().forEach(p -> sb.append(sb.length() == 0 ? "" : "; ").append(p.path()).append(": ").append(p.problem()));
            return sb.toString();
        }
        return message;
    }

    /** The resolved configuration as JSON, for manifest.json. */
    public static String toJson(Config config) {
        return config.root().render(ConfigRenderOptions.concise());
    }
}
