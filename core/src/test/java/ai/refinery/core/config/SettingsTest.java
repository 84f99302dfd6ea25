package ai.refinery.core.config;

import com.typesafe.config.Config;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SettingsTest {

    @Test
    void defaultsCarryThePaperThresholds() {
        Config c = Settings.load(null, List.of());
        assertEquals(0.65, c.getDouble("filter.language.threshold"));
        assertEquals(50, c.getInt("filter.gopher_quality.min_words"));
        assertEquals(0.01, c.getDouble("filter.fineweb_quality.max_duplicate_line_char_ratio"));
        assertEquals(false, c.getBoolean("filter.c4_quality.filter_no_terminal_punctuation"));
        assertEquals(0.05, c.getDouble("filter.line_cleanup.max_removed_word_fraction"));
        assertEquals("zstd", c.getString("output.compression"));
    }

    @Test
    void setOverridesWinOverFileAndDefaults(@TempDir Path dir) throws Exception {
        File file = dir.resolve("my.conf").toFile();
        Files.writeString(file.toPath(), "filter.language.threshold = 0.7\nfilter.gopher_quality.min_words = 80\n");
        Config c = Settings.load(file, List.of("filter.language.threshold=0.9", "filter.language.keep=[en,de]",
                "input.text_field=content", "spark.master=local[2]"));
        assertEquals(0.9, c.getDouble("filter.language.threshold"));
        assertEquals(80, c.getInt("filter.gopher_quality.min_words"));
        assertEquals(List.of("en", "de"), c.getStringList("filter.language.keep"));
        assertEquals("content", c.getString("input.text_field"));
        assertEquals("local[2]", c.getString("spark.master"));
    }

    @Test
    void valuesWithSpecialCharactersPassVerbatim() {
        Config c = Settings.load(null, List.of("filter.url_blocklist.domains_file=hdfs://nn:8020/lists/a#b.txt"));
        assertEquals("hdfs://nn:8020/lists/a#b.txt", c.getString("filter.url_blocklist.domains_file"));
    }

    @Test
    void unknownKeyIsAnErrorNamingIt() {
        ConfigError e = assertThrows(ConfigError.class,
                () -> Settings.load(null, List.of("filter.language.treshold=0.5")));
        assertTrue(e.getMessage().contains("filter.language.treshold"), e.getMessage());
    }

    @Test
    void unknownKeyInFileIsAnError(@TempDir Path dir) throws Exception {
        File file = dir.resolve("bad.conf").toFile();
        Files.writeString(file.toPath(), "filter { gopher_quality { min_wrds = 3 } }\n");
        ConfigError e = assertThrows(ConfigError.class, () -> Settings.load(file, List.of()));
        assertTrue(e.getMessage().contains("filter.gopher_quality.min_wrds"), e.getMessage());
    }

    @Test
    void wrongTypeIsAnErrorNamingTheKey() {
        ConfigError e = assertThrows(ConfigError.class,
                () -> Settings.load(null, List.of("filter.gopher_quality.min_words=many")));
        assertTrue(e.getMessage().contains("filter.gopher_quality.min_words"), e.getMessage());
    }

    @Test
    void settingASectionToAValueIsAnError() {
        ConfigError e = assertThrows(ConfigError.class, () -> Settings.load(null, List.of("filter.language=1")));
        assertTrue(e.getMessage().contains("filter.language"), e.getMessage());
    }

    @Test
    void missingConfFileIsAnError() {
        ConfigError e = assertThrows(ConfigError.class, () -> Settings.load(new File("no/such.conf"), List.of()));
        assertTrue(e.getMessage().contains("--conf"), e.getMessage());
    }

    @Test
    void malformedSetIsAnError() {
        assertThrows(ConfigError.class, () -> Settings.load(null, List.of("filter.language.threshold")));
    }

    @Test
    void sparkConfAcceptsFreeFormKeys() {
        Config c = Settings.load(null, List.of("spark.conf.\"spark.sql.shuffle.partitions\"=7"));
        assertEquals(7, c.getConfig("spark.conf").getInt("\"spark.sql.shuffle.partitions\""));
    }

    @Test
    void sparkPropertiesPassUnderTheirOwnNames(@TempDir Path dir) throws Exception {
        File file = dir.resolve("cluster.conf").toFile();
        Files.writeString(file.toPath(), "spark { executor.memory = 8g }\n");
        Config c = Settings.load(file, List.of("spark.sql.shuffle.partitions=8", "spark.master=local[2]"));
        Config sparkConf = c.getConfig("spark.conf");
        assertEquals(8, sparkConf.getInt("\"spark.sql.shuffle.partitions\""));
        assertEquals("8g", sparkConf.getString("\"spark.executor.memory\""));
        assertEquals("local[2]", c.getString("spark.master"), "Refinery's own spark.master stays a setting");
        assertTrue(!c.hasPath("spark.sql.shuffle.partitions"), "nothing is left under its own name");
        // a typo outside spark.* is still an error
        assertThrows(ConfigError.class, () -> Settings.load(null, List.of("sparkk.sql.shuffle.partitions=8")));
    }

    @Test
    void sectionRangeChecksNameTheKey() {
        Config c = Settings.load(null, List.of("filter.language.threshold=1.5"));
        ConfigError e = assertThrows(ConfigError.class, () -> new Section(c, "filter.language").fraction("threshold"));
        assertEquals("filter.language.threshold: must be in [0.0, 1.0], got 1.5", e.getMessage());
    }
}
