package ai.refinery.core.output;

import ai.refinery.core.config.Section;
import com.typesafe.config.Config;

/** The output section of the settings: how stage outputs are written. */
public final class OutputSettings {
    public static final String SECTION = "output";

    private OutputSettings() {
    }

    /** Parquet files per output folder ({@code output.files}); 0 lets Spark decide. */
    public static int files(Config config) {
        return new Section(config, SECTION).intAtLeast("files", 0);
    }

    /** The Parquet codec of data/ and rejected/ ({@code output.compression}). */
    public static String compression(Config config) {
        return new Section(config, SECTION).string("compression");
    }
}
