package dev.compilerd.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LifetimeTest {
    private static final Duration MIN = Duration.ofMinutes(30);
    private static final Duration MAX = Duration.ofMinutes(60);

    @Test
    void lifetimeIsAlwaysWithinMinAndMax() {
        for (long seed = 0; seed < 10_000; seed++) {
            assertThat(Lifetime.pick(MIN, MAX, new Random(seed))).isBetween(MIN, MAX);
        }
    }

    @Test
    void lifetimesSpreadOverTheWholeRange() {
        Duration middle = Duration.ofMinutes(45);
        int early = 0;
        for (long seed = 0; seed < 1000; seed++) {
            if (Lifetime.pick(MIN, MAX, new Random(seed)).compareTo(middle) < 0) {
                early++;
            }
        }

        // Uniform: about half fall in the first half; 400..600 is more than 6 standard deviations wide.
        assertThat(early).isBetween(400, 600);
    }

    @Test
    void bothEndsOfTheRangeAreReachable() {
        Duration lo = Duration.ofMillis(1000);
        Duration hi = Duration.ofMillis(1001);
        Set<Duration> seen = new HashSet<>();
        for (long seed = 0; seed < 200; seed++) {
            seen.add(Lifetime.pick(lo, hi, new Random(seed)));
        }

        assertThat(seen).containsExactlyInAnyOrder(lo, hi);
    }

    @Test
    void equalMinAndMaxGiveExactlyThatLifetime() {
        for (long seed = 0; seed < 100; seed++) {
            assertThat(Lifetime.pick(MIN, MIN, new Random(seed))).isEqualTo(MIN);
        }
    }

    @Test
    void minAboveMaxIsRejected() {
        assertThatThrownBy(() -> Lifetime.pick(MAX, MIN, new Random(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("min PT1H exceeds max PT30M");
    }
}
