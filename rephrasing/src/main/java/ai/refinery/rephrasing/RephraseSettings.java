package ai.refinery.rephrasing;

import ai.refinery.core.config.ConfigError;
import ai.refinery.core.config.Section;
import com.typesafe.config.Config;

/**
 * Settings of template rephrasing and QA conversion (section "rephrase" of refinery.conf).
 *
 * @param seed     seed of template draws, sentence orders, question draws, the split and the output order
 * @param multi    biographies per person (multiM), at least 1
 * @param permute  shuffle the order of the six sentences of each biography
 * @param fullname the full name in every sentence instead of a pronoun after the first
 * @param qa       QA conversion settings
 */
public record RephraseSettings(long seed, int multi, boolean permute, boolean fullname, Qa qa)
        implements java.io.Serializable {
    public static final String SECTION = "rephrase";
    /** Upper bound on multi: beyond it the output is a blow-up rather than an augmentation. */
    public static final int MAX_MULTI = 1000;

    /**
     * @param testFraction          share of people whose questions go to the test split (0.5 in the paper)
     * @param questionsPerAttribute phrasings per attribute and person, 0 for every question template
     * @param systemPrompt          system message put first in every conversation; empty for none
     */
    public record Qa(double testFraction, int questionsPerAttribute, String systemPrompt) implements java.io.Serializable {
        public Qa {
            if (!(testFraction >= 0 && testFraction <= 1)) {
                throw ConfigError.forKey(SECTION + ".qa.test_fraction", "must be in [0, 1], got " + testFraction);
            }
            int max = QaWriter.standard().maxPhrasings();
            if (questionsPerAttribute < 0 || questionsPerAttribute > max) {
                throw ConfigError.forKey(SECTION + ".qa.questions_per_attribute",
                        "must be in [0, " + max + "] (0 = all " + max + " phrasings), got " + questionsPerAttribute);
            }
            if (systemPrompt == null) {
                systemPrompt = "";
            }
        }
    }

    public RephraseSettings {
        if (multi < 1 || multi > MAX_MULTI) {
            throw ConfigError.forKey(SECTION + ".multi", "must be in [1, " + MAX_MULTI + "], got " + multi);
        }
        if (qa == null) {
            qa = defaultQa();
        }
    }

    /** Template settings with default QA settings. */
    public static RephraseSettings of(long seed, int multi, boolean permute, boolean fullname) {
        return new RephraseSettings(seed, multi, permute, fullname, defaultQa());
    }

    public static Qa defaultQa() {
        return new Qa(0.5, 1, "");
    }

    public static RephraseSettings from(Config config) {
        Section s = new Section(config, SECTION);
        Section q = s.child("qa");
        Qa qa = new Qa(q.fraction("test_fraction"), q.intAtLeast("questions_per_attribute", 0),
                q.string("system_prompt"));
        return new RephraseSettings(s.longAtLeast("seed", Long.MIN_VALUE), s.intAtLeast("multi", 1),
                s.bool("permute"), s.bool("fullname"), qa);
    }

    /** The rephraser name recorded on every row, e.g. "template/multi5+permute". */
    public String rephraserName() {
        StringBuilder sb = new StringBuilder("template/multi").append(multi);
        if (permute) {
            sb.append("+permute");
        }
        if (fullname) {
            sb.append("+fullname");
        }
        return sb.toString();
    }
}
