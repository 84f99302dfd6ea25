package ai.refinery.rephrasing;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PoolsTest {
    private final Pools pools = Pools.standard();

    @Test
    void poolSizesMatchBioS() {
        assertEquals(400, pools.firstNames().size());
        assertEquals(400, pools.middleNames().size());
        assertEquals(1000, pools.lastNames().size());
        assertEquals(200, pools.birthCities().size());
        assertEquals(300, pools.universities().size());
        assertEquals(100, pools.majors().size());
        assertEquals(263, pools.employers().size());
        assertEquals(263, pools.employerCities().size());
        assertEquals(160_000_000L, pools.nameSpace());
        assertEquals(200 * 12 * 28, Pools.dateSpace());
    }

    @Test
    void poolsAreDistinctAndNamePoolsDisjoint() {
        for (List<String> pool : List.of(pools.firstNames(), pools.middleNames(), pools.lastNames(), pools.birthCities(),
                pools.universities(), pools.majors(), pools.employers())) {
            assertEquals(pool.size(), new HashSet<>(pool).size(), "duplicates in " + pool.get(0) + "...");
        }
        Set<String> names = new HashSet<>(pools.firstNames());
        names.addAll(pools.middleNames());
        names.addAll(pools.lastNames());
        assertEquals(1800, names.size());
    }

    @Test
    void valuesAreSafeInsideOneSentence() {
        // A period or brace inside a value would break sentence splitting or template parsing.
        for (List<String> pool : List.of(pools.firstNames(), pools.middleNames(), pools.lastNames(), pools.birthCities(),
                pools.universities(), pools.majors(), pools.employers(), pools.employerCities())) {
            for (String v : pool) {
                assertFalse(v.isBlank());
                assertFalse(v.contains(".") || v.contains("{") || v.contains("}") || v.contains("\t"), v);
                assertEquals(v.strip(), v);
            }
        }
    }

    @Test
    void bothGendersAreRepresentedAmongFirstNames() {
        int female = 0;
        for (int i = 0; i < pools.firstNames().size(); i++) {
            if (pools.genderOfFirstName(i) == Gender.FEMALE) {
                female++;
            }
        }
        assertEquals(200, female);
    }

    @Test
    void employerCitiesComeFromTheCityList() {
        assertTrue(new HashSet<>(pools.birthCities()).containsAll(pools.employerCities()));
    }
}
