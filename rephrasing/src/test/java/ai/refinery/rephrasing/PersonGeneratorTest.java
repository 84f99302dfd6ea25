package ai.refinery.rephrasing;

import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PersonGeneratorTest {
    private final Pools pools = Pools.standard();

    @Test
    void fullNamesAreUniqueAndAttributesCoverThePools() {
        PersonGenerator g = new PersonGenerator(7, pools);
        Set<String> names = new HashSet<>();
        Set<String> cities = new HashSet<>();
        Set<String> majors = new HashSet<>();
        Map<String, String> employerCity = new HashMap<>();
        for (int i = 0; i < 50_000; i++) {
            Person p = g.person(i);
            assertTrue(names.add(p.fullName()), "duplicate name " + p.fullName());
            cities.add(p.birthCity());
            majors.add(p.major());
            String prev = employerCity.put(p.employer(), p.employerCity());
            assertTrue(prev == null || prev.equals(p.employerCity()), "employer with two cities: " + p.employer());
            LocalDate d = p.birthDate();
            assertTrue(d.getYear() >= 1900 && d.getYear() <= 2099 && d.getDayOfMonth() <= 28, d.toString());
        }
        // 50,000 draws from pools of 200 / 100 / 263 values reach every value.
        assertEquals(200, cities.size());
        assertEquals(100, majors.size());
        assertEquals(263, employerCity.size());
    }

    @Test
    void personDependsOnlyOnSeedAndIndex() {
        PersonGenerator a = new PersonGenerator(7, pools);
        PersonGenerator b = new PersonGenerator(7, pools);
        assertEquals(a.person(123_456), b.person(123_456));
        assertEquals("person-000123456", a.person(123_456).id());
        assertNotEquals(a.person(5).fullName(), new PersonGenerator(8, pools).person(5).fullName());
    }

    @Test
    void genderFollowsTheFirstName() {
        PersonGenerator g = new PersonGenerator(3, pools);
        for (int i = 0; i < 1000; i++) {
            Person p = g.person(i);
            int first = pools.firstNames().indexOf(p.firstName());
            assertEquals(pools.genderOfFirstName(first), p.gender());
        }
    }

    @Test
    void dateFormatIsThePapers() {
        assertEquals("October 2, 1996", Person.formatDate(LocalDate.of(1996, 10, 2)));
        assertEquals("person-000000007", Person.idOf(7));
        assertEquals("person-159999999", Person.idOf(159_999_999));
    }
}
