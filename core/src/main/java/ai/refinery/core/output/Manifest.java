package ai.refinery.core.output;

import ai.refinery.core.config.Settings;
import com.typesafe.config.Config;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * manifest.json of a stage output: what ran (command and arguments), with which resolved configuration, on
 * which inputs, with which versions, when, and the headline counts. Schedulers check it next to _SUCCESS.
 */
public final class Manifest {
    private final Map<String, Object> fields = new LinkedHashMap<>();

    public Manifest(String command, List<String> arguments, Config config) {
        fields.put("command", command);
        fields.put("arguments", arguments);
        fields.put("started_at", Instant.now().toString());
        fields.put("versions", versions());
        fields.put("configuration", Json.readMap(Settings.toJson(config)));
    }

    public Manifest put(String key, Object value) {
        fields.put(key, value);
        return this;
    }

    /** Stamps the end time and renders the JSON. */
    public String finish() {
        fields.put("finished_at", Instant.now().toString());
        return Json.write(fields);
    }

    public static String refineryVersion() {
        Properties props = new Properties();
        try (InputStream in = Manifest.class.getClassLoader().getResourceAsStream("refinery/version.properties")) {
            if (in != null) {
                props.load(in);
            }
        } catch (IOException ignored) {
            // the version is informative only
        }
        return props.getProperty("version", "unknown");
    }

    private static Map<String, Object> versions() {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("refinery", refineryVersion());
        v.put("spark", org.apache.spark.package$.MODULE$.SPARK_VERSION());
        v.put("java", System.getProperty("java.version"));
        return v;
    }
}
