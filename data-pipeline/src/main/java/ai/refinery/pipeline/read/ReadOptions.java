package ai.refinery.pipeline.read;

import ai.refinery.core.config.Section;
import com.typesafe.config.Config;

import java.io.Serializable;
import java.util.Set;

/** Settings of the read stage (the input and extract sections of the configuration). */
public record ReadOptions(String format, long maxRecordBytes, String textField, String idField, String urlField,
                          String htmlMode, int mainMinChars, String defaultCharset) implements Serializable {

    public static ReadOptions from(Config config) {
        Section input = new Section(config, "input");
        Section extract = new Section(config, "extract");
        return new ReadOptions(
                input.oneOf("format", Set.of("auto", "warc", "wet", "jsonl", "text", "parquet")),
                input.longAtLeast("max_record_bytes", 1),
                input.string("text_field"),
                input.string("id_field"),
                input.string("url_field"),
                extract.oneOf("html_mode", Set.of("main", "body")),
                extract.intAtLeast("main_min_chars", 0),
                extract.string("default_charset"));
    }

    public static ReadOptions defaults() {
        return from(ai.refinery.core.config.Settings.defaults());
    }
}
