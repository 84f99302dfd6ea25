package ai.refinery.jobs;

import ai.refinery.core.config.Settings;
import com.typesafe.config.Config;
import picocli.CommandLine.Option;

import java.io.File;
import java.util.ArrayList;
import java.util.List;

/** --conf and --set, shared by every command. */
public final class ConfigOptions {
    @Option(names = "--conf", paramLabel = "FILE",
            description = "HOCON file of settings to change; every setting and its default is in conf/refinery.conf.")
    File confFile;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Change one setting, e.g. --set filter.language.threshold=0.8 (repeatable; wins over --conf).")
    List<String> overrides = new ArrayList<>();

    /** What the user set (in --conf or with --set), without the defaults: tells a set value from a default. */
    Config userSettings() {
        return Settings.user(confFile, overrides);
    }

    /** The resolved configuration, with extra overrides that command options imply (they win). */
    Config config(List<String> implied) {
        List<String> all = new ArrayList<>(overrides);
        all.addAll(implied);
        return Settings.load(confFile, all);
    }
}
