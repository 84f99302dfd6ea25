package ai.refinery.rephrasing;

import java.io.Serializable;
import java.time.LocalDate;
import java.time.format.TextStyle;
import java.util.Locale;
import java.util.Objects;

/** One synthetic individual: a unique full name and the six bioS attributes. */
public record Person(String id, String firstName, String middleName, String lastName, Gender gender,
                     LocalDate birthDate, String birthCity, String university, String major, String employer,
                     String employerCity) implements Serializable {

    public Person {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(gender, "gender");
        Objects.requireNonNull(birthDate, "birthDate");
    }

    public String fullName() {
        return firstName + " " + middleName + " " + lastName;
    }

    /** The attribute's value as it is written in biographies and expected as the answer to a question. */
    public String value(Attribute attribute) {
        return switch (attribute) {
            case BIRTH_DATE -> formatDate(birthDate);
            case BIRTH_CITY -> birthCity;
            case UNIVERSITY -> university;
            case MAJOR -> major;
            case EMPLOYER -> employer;
            case EMPLOYER_CITY -> employerCity;
        };
    }

    /** "October 2, 1996", the form used in the paper's biographies. */
    public static String formatDate(LocalDate date) {
        return date.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH) + " " + date.getDayOfMonth() + ", "
                + date.getYear();
    }

    /** The stable id of the person with this index: "person-000000123". */
    public static String idOf(long index) {
        String digits = Long.toString(index);
        if (digits.length() >= 9) {
            return "person-" + digits;
        }
        return "person-" + "0".repeat(9 - digits.length()) + digits;
    }
}
