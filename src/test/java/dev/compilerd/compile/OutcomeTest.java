package dev.compilerd.compile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.compilerd.sandbox.SandboxException;
import dev.compilerd.sandbox.SandboxUnavailableException;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class OutcomeTest {
    @Test
    void onlyDeterministicAnswersAreCached() {
        for (Outcome o : new Outcome[] {Outcome.OK, Outcome.EXIT_NONZERO, Outcome.COMPILE_ERROR, Outcome.INVALID,
                Outcome.OUTPUT_TOO_LARGE}) {
            assertThat(o.cacheable()).as(o.label()).isTrue();
        }
        for (Outcome o : new Outcome[] {Outcome.TIMEOUT, Outcome.BUILD_TIMEOUT, Outcome.KILLED, Outcome.PROCESS_LIMIT,
                Outcome.RUN_ERROR, Outcome.CACHED, Outcome.COALESCED}) {
            assertThat(o.cacheable()).as(o.label()).isFalse();
        }
    }

    @Test
    void failuresMapToTheirOutcome() {
        assertThat(Outcome.of(new BusyException("x", Duration.ofSeconds(1), Outcome.BUSY)))
                .isEqualTo(Outcome.BUSY);
        assertThat(Outcome.of(new AbandonedException())).isEqualTo(Outcome.ABANDONED);
        assertThat(Outcome.of(new SandboxUnavailableException("daemon down"))).isEqualTo(Outcome.SANDBOX_UNAVAILABLE);
        assertThat(Outcome.of(new SandboxException("image broke"))).isEqualTo(Outcome.SANDBOX_ERROR);
        assertThat(Outcome.of(new InterruptedException())).isEqualTo(Outcome.SHUTTING_DOWN);
        assertThat(Outcome.of(new IOException("reset"))).isEqualTo(Outcome.READ_ERROR);
        assertThat(Outcome.of(new IllegalStateException("bug"))).isEqualTo(Outcome.INTERNAL_ERROR);
        assertThat(Arrays.stream(Outcome.values()).map(Outcome::label).distinct()).hasSize(Outcome.values().length);
    }
}
