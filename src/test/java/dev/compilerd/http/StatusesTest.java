package dev.compilerd.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.compilerd.compile.Outcome;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class StatusesTest {
    @Test
    void theProgramsOwnDoingIsAlways200AndNothingElseIsCached() {
        for (Outcome o : new Outcome[] {Outcome.OK, Outcome.EXIT_NONZERO, Outcome.COMPILE_ERROR, Outcome.INVALID,
                Outcome.OUTPUT_TOO_LARGE, Outcome.TIMEOUT, Outcome.BUILD_TIMEOUT, Outcome.KILLED,
                Outcome.PROCESS_LIMIT, Outcome.RUN_ERROR, Outcome.CACHED, Outcome.COALESCED}) {
            assertThat(Statuses.sent(o)).as(o.label()).isEqualTo(200);
        }
        assertThat(Arrays.stream(Outcome.values()).filter(o -> Statuses.sent(o) != 200)).noneMatch(Outcome::cacheable);
    }

    @Test
    void hostFailuresAre500Or503AndEvery503CarriesRetryAfter() {
        assertThat(Statuses.sent(Outcome.SANDBOX_UNAVAILABLE)).isEqualTo(503);
        assertThat(Statuses.sent(Outcome.SANDBOX_ERROR)).isEqualTo(500);
        assertThat(Statuses.logged(Outcome.ABANDONED)).isEqualTo(499);
        assertThat(Statuses.sent(Outcome.ABANDONED)).isEqualTo(503);
        assertThat(Arrays.stream(Outcome.values()).filter(o -> Statuses.sent(o) == 503)).allMatch(Statuses::retryAfter);
        assertThat(Arrays.stream(Outcome.values()).map(Outcome::label).distinct()).hasSize(Outcome.values().length);
    }
}
