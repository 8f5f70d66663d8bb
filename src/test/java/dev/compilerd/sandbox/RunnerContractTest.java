package dev.compilerd.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.compilerd.config.Defaults;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RunnerContractTest {
    @Test
    void theFlagsBoundsAreTheRunnersOwnCaps() {
        assertThat(Defaults.RUNNER_MAX_OUTPUT_BYTES).isEqualTo(RunnerContract.RUNNER.maxOutputLimit());
        assertThat(Defaults.RUNNER_MAX_TIMEOUT).isEqualTo(Duration.ofMillis(RunnerContract.RUNNER.maxTimeoutMs()));
    }
}
