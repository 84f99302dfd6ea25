package ai.refinery.pipeline.funnel;

import ai.refinery.core.config.ConfigError;
import ai.refinery.core.config.Section;
import com.typesafe.config.Config;

import java.io.Serializable;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What the filter stages record in a document's {@code scores} column ({@code filter.scores}).
 *
 * @param keepMeasures every stage's measured values are recorded as {@code <stage>.<measure>}
 * @param scoreOnly    stages that only score: their values and their verdict ({@code <stage>.kept}, 1 or 0) are
 *                     recorded and the document goes on unchanged, whatever they would have decided
 */
public record ScoreSettings(boolean keepMeasures, Set<String> scoreOnly) implements Serializable {
    public static final String KEY = "filter.scores";
    public static final ScoreSettings NONE = new ScoreSettings(false, Set.of());

    public ScoreSettings {
        scoreOnly = Set.copyOf(scoreOnly);
    }

    /** @param stages the configured stage names: a score-only stage must be one of them */
    public static ScoreSettings fromConfig(Config config, Collection<String> stages) {
        Section s = new Section(config, KEY);
        List<String> scoreOnly = s.strings("score_only");
        for (String name : scoreOnly) {
            if (!stages.contains(name)) {
                throw ConfigError.forKey(s.key("score_only"), "'" + name + "' is not one of filter.stages " + stages);
            }
        }
        return new ScoreSettings(s.bool("keep_measures"), new LinkedHashSet<>(scoreOnly));
    }

    boolean records(String stage) {
        return keepMeasures || scoreOnly.contains(stage);
    }
}
