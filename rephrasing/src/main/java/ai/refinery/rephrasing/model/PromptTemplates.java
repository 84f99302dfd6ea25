package ai.refinery.rephrasing.model;

import ai.refinery.core.config.ConfigError;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rephrasing prompts: one text file per style, {@code <folder>/rephrase-<style>.txt}, holding a {text}
 * placeholder where the document goes. The folder is "classpath:..." (conf/prompts/ ships in the jar under
 * refinery/prompts), a local path or any Hadoop FS URI.
 */
public final class PromptTemplates {
    public static final String PLACEHOLDER = "{text}";
    private static final String CLASSPATH = "classpath:";

    private PromptTemplates() {
    }

    /** style -> template, in the given order; a missing file or placeholder is a ConfigError naming {@code key}. */
    public static Map<String, String> load(String folder, List<String> styles, String key) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String style : styles) {
            if (!style.matches("[A-Za-z0-9_-]+")) {
                throw ConfigError.forKey("rephrase.model.styles", "a style is a name of letters, digits, '_' and '-', got '" + style + "'");
            }
            if (out.containsKey(style)) {
                throw ConfigError.forKey("rephrase.model.styles", "style '" + style + "' is listed twice");
            }
            String location = folder.replaceAll("/+$", "") + "/rephrase-" + style + ".txt";
            String template = read(location, key);
            int at = template.indexOf(PLACEHOLDER);
            if (at < 0 || template.indexOf(PLACEHOLDER, at + 1) >= 0) {
                throw ConfigError.forKey(key, location + " must hold the placeholder " + PLACEHOLDER + " exactly once");
            }
            out.put(style, template.strip());
        }
        return out;
    }

    /** The text of a prompt file (classpath:, a local path or any Hadoop FS URI); a ConfigError naming {@code key}. */
    public static String read(String location, String key) {
        try {
            if (location.startsWith(CLASSPATH)) {
                String resource = location.substring(CLASSPATH.length()).replaceAll("^/+", "");
                try (InputStream in = PromptTemplates.class.getClassLoader().getResourceAsStream(resource)) {
                    if (in == null) {
                        throw ConfigError.forKey(key, "no prompt template at " + location);
                    }
                    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
            }
            Path p = new Path(location);
            var fs = p.getFileSystem(new Configuration());
            if (!fs.exists(p)) {
                throw ConfigError.forKey(key, "no prompt template at " + location);
            }
            try (InputStream in = fs.open(p)) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw ConfigError.forKey(key, "cannot read " + location + ": " + e.getMessage());
        }
    }

    /** The template with the document, cut to {@code maxChars} (at the last space when there is one late enough). */
    public static String render(String template, String text, int maxChars) {
        String t = text.strip();
        if (t.length() > maxChars) {
            int cut = t.lastIndexOf(' ', maxChars);
            t = t.substring(0, cut > maxChars / 2 ? cut : maxChars);
        }
        return template.replace(PLACEHOLDER, t);
    }
}
