package ai.refinery.rephrasing.select;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The plain parts of select: the judge prompt and reading the judge's score. */
public final class SelectRules {
    public static final String INSTRUCTION = "{instruction}";
    public static final String RESPONSE = "{response}";
    private static final Pattern NUMBER = Pattern.compile("(?<![\\d.])(\\d+(?:\\.\\d+)?)");

    private SelectRules() {
    }

    /** The judge prompt of one row (instruction and response each cut to {@code maxChars}). */
    public static String judgePrompt(String template, String instruction, String response, int maxChars) {
        return template.replace(INSTRUCTION, cut(instruction, maxChars)).replace(RESPONSE, cut(response, maxChars));
    }

    private static String cut(String s, int maxChars) {
        String t = s.strip();
        return t.length() > maxChars ? t.substring(0, maxChars) : t;
    }

    /** The first number of the judge's answer when it is a score in [0, 5], else null. */
    public static Double score(String answer) {
        if (answer == null) {
            return null;
        }
        Matcher m = NUMBER.matcher(answer);
        if (!m.find()) {
            return null;
        }
        double v = Double.parseDouble(m.group(1));
        return v >= 0 && v <= 5 ? v : null;
    }
}
