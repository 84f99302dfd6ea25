package ai.refinery.pipeline.filter;

import ai.refinery.core.config.ConfigError;
import ai.refinery.core.config.Section;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;

/** Formatting of rejection details ("0.42 > 0.3") and shared configuration checks of the filters. */
final class Details {
    private Details() {
    }

    /** A number with at most four decimals and no trailing zeros: 0.4167, 0.3, 12. */
    static String number(double value) {
        return number(value, 4);
    }

    private static String number(double value, int decimals) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return Double.toString(value);
        }
        return BigDecimal.valueOf(value).setScale(decimals, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
    }

    /** "measured > threshold", with more decimals where four would make both read the same (0.01001 > 0.01). */
    static String above(double value, double max) {
        return compare(value, " > ", max);
    }

    static String below(double value, double min) {
        return compare(value, " < ", min);
    }

    private static String compare(double value, String operator, double threshold) {
        int decimals = 4;
        String v = number(value, decimals);
        String t = number(threshold, decimals);
        while (v.equals(t) && value != threshold && decimals < 12) {
            decimals++;
            v = number(value, decimals);
            t = number(threshold, decimals);
        }
        return v + operator + t;
    }

    /** A list setting whose every element is a fraction in [0, 1]. */
    static double[] fractions(Section section, String name) {
        List<Double> values = section.doubles(name);
        double[] result = new double[values.size()];
        for (int i = 0; i < result.length; i++) {
            double v = values.get(i);
            if (!(v >= 0.0 && v <= 1.0)) {
                throw ConfigError.forKey(section.key(name), "element " + (i + 1) + " must be in [0, 1], got " + v);
            }
            result[i] = v;
        }
        return result;
    }

    static int intIn(Section section, String name, int min, int max) {
        int value = section.intAtLeast(name, min);
        if (value > max) {
            throw ConfigError.forKey(section.key(name), "must be at most " + max + ", got " + value);
        }
        return value;
    }
}
