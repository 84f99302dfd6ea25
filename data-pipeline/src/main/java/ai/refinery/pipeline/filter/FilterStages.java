package ai.refinery.pipeline.filter;

import ai.refinery.core.config.ConfigError;
import ai.refinery.core.config.Section;
import com.typesafe.config.Config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Builds the filter chain named by {@code filter.stages}, in the configured order. The heuristic stages of
 * this package are built in; stages implemented elsewhere (language identification) are registered by the
 * caller through {@code extraFactories}, so this package does not depend on them.
 */
public final class FilterStages {
    public static final String STAGES_KEY = "filter.stages";

    private static final Map<String, Function<Config, DocumentFilter>> BUILT_IN;

    static {
        Map<String, Function<Config, DocumentFilter>> m = new LinkedHashMap<>();
        m.put(UrlBlocklistFilter.NAME, UrlBlocklistFilter::fromConfig);
        m.put(GopherRepetitionFilter.NAME, GopherRepetitionFilter::fromConfig);
        m.put(GopherQualityFilter.NAME, GopherQualityFilter::fromConfig);
        m.put(C4QualityFilter.NAME, C4QualityFilter::fromConfig);
        m.put(FineWebQualityFilter.NAME, FineWebQualityFilter::fromConfig);
        m.put(LineCleanupFilter.NAME, LineCleanupFilter::fromConfig);
        BUILT_IN = Collections.unmodifiableMap(m);
    }

    private FilterStages() {
    }

    /** Names of the stages this package builds. */
    public static Set<String> builtInStages() {
        return BUILT_IN.keySet();
    }

    /** The configured stages, built-in ones only: a stage such as "language" without a factory is an error. */
    public static List<DocumentFilter> fromConfig(Config config) {
        return fromConfig(config, Map.of());
    }

    /**
     * @param extraFactories stage name -> factory for stages built outside this package (e.g. "language");
     *                       they may not reuse a built-in name
     */
    public static List<DocumentFilter> fromConfig(Config config, Map<String, Function<Config, DocumentFilter>> extraFactories) {
        Map<String, Function<Config, DocumentFilter>> factories = new LinkedHashMap<>(BUILT_IN);
        for (Map.Entry<String, Function<Config, DocumentFilter>> extra : extraFactories.entrySet()) {
            if (BUILT_IN.containsKey(extra.getKey())) {
                throw new IllegalArgumentException("stage '" + extra.getKey() + "' is built in and cannot be replaced");
            }
            factories.put(extra.getKey(), extra.getValue());
        }
        FilterDefinitions.fromConfig(config); // a bad value is an error whichever stages run
        List<String> names = new Section(config, "").strings(STAGES_KEY);
        List<DocumentFilter> stages = new ArrayList<>(names.size());
        Set<String> seen = new HashSet<>();
        for (String name : names) {
            Function<Config, DocumentFilter> factory = factories.get(name);
            if (factory == null) {
                throw ConfigError.forKey(STAGES_KEY, "unknown stage '" + name + "' (known: "
                        + String.join(", ", factories.keySet()) + ")");
            }
            if (!seen.add(name)) {
                throw ConfigError.forKey(STAGES_KEY, "stage '" + name + "' is listed twice");
            }
            DocumentFilter stage = factory.apply(config);
            if (!name.equals(stage.name())) {
                throw new IllegalStateException("factory for stage '" + name + "' built stage '" + stage.name() + "'");
            }
            stages.add(stage);
        }
        return stages;
    }
}
