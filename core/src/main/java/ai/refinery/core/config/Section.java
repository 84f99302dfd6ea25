package ai.refinery.core.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;

import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Typed, range-checked reads from one section of the configuration. Every error names the full key, so
 * the command line can report it with exit status 2.
 */
public final class Section {
    private final Config config;
    private final String prefix;

    public Section(Config config, String prefix) {
        this.config = config;
        this.prefix = prefix;
    }

    public Section child(String name) {
        return new Section(config, key(name));
    }

    public String key(String name) {
        return prefix.isEmpty() ? name : prefix + "." + name;
    }

    public boolean bool(String name) {
        return read(name, () -> config.getBoolean(key(name)));
    }

    public String string(String name) {
        return read(name, () -> config.getString(key(name)));
    }

    public String oneOf(String name, Set<String> allowed) {
        String value = string(name);
        if (!allowed.contains(value)) {
            throw ConfigError.forKey(key(name), "must be one of " + allowed + ", got '" + value + "'");
        }
        return value;
    }

    public List<String> strings(String name) {
        return read(name, () -> config.getStringList(key(name)));
    }

    public List<Double> doubles(String name) {
        return read(name, () -> config.getDoubleList(key(name)));
    }

    public double doubleIn(String name, double min, double max) {
        double value = read(name, () -> config.getDouble(key(name)));
        if (!(value >= min && value <= max)) {
            throw ConfigError.forKey(key(name), "must be in [" + min + ", " + max + "], got " + value);
        }
        return value;
    }

    public double fraction(String name) {
        return doubleIn(name, 0.0, 1.0);
    }

    public double nonNegative(String name) {
        return doubleIn(name, 0.0, Double.MAX_VALUE);
    }

    public int intAtLeast(String name, int min) {
        int value = read(name, () -> config.getInt(key(name)));
        if (value < min) {
            throw ConfigError.forKey(key(name), "must be at least " + min + ", got " + value);
        }
        return value;
    }

    public long longAtLeast(String name, long min) {
        long value = read(name, () -> config.getLong(key(name)));
        if (value < min) {
            throw ConfigError.forKey(key(name), "must be at least " + min + ", got " + value);
        }
        return value;
    }

    private <T> T read(String name, Supplier<T> reader) {
        try {
            return reader.get();
        } catch (ConfigException.Missing e) {
            throw ConfigError.forKey(key(name), "missing");
        } catch (ConfigException.WrongType e) {
            throw ConfigError.forKey(key(name), "wrong type: " + e.getMessage().replaceFirst("^.*?: ", ""));
        } catch (ConfigException e) {
            throw ConfigError.forKey(key(name), e.getMessage());
        }
    }
}
