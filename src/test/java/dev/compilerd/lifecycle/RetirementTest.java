package dev.compilerd.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RecyclerTest {
    private static final Duration LAMEDUCK = Duration.ofSeconds(20);
    private static final Duration LIFETIME = Duration.ofMinutes(45);

    private final ManualTime time = new ManualTime();
    private final Lifecycle lifecycle = new Lifecycle(time);
    private final RecordingSteps steps = new RecordingSteps();

    @BeforeEach
    void serve() {
        lifecycle.advance(State.SERVING);
    }

    private Retirement recycler(boolean haltEnabled) {
        return new Retirement(lifecycle, time, LAMEDUCK, haltEnabled, steps);
    }

    @Test
    void nothingHappensBeforeTheLifetimeEnds() {
        recycler(true).startLifetime(LIFETIME);

        time.advance(LIFETIME.minusMillis(1));

        assertThat(lifecycle.state()).isEqualTo(State.SERVING);
        assertThat(steps.calls).isEmpty();
    }

    @Test
    void lifetimeExpiryStartsLameduckAndFailsHealthChecks() {
        Retirement recycler = recycler(true);
        recycler.startLifetime(LIFETIME);

        time.advance(LIFETIME);

        assertThat(lifecycle.state()).isEqualTo(State.LAMEDUCK);
        assertThat(lifecycle.healthy()).isFalse();
        assertThat(steps.calls).containsExactly("lameduck in LAMEDUCK");
        assertThat(recycler.reason()).isEqualTo(Retirement.Reason.LIFETIME);
    }

    @Test
    void afterTheLameduckPeriodLifetimeExpiryDrainsThenHalts() {
        Retirement recycler = recycler(true);
        recycler.startLifetime(LIFETIME);
        time.advance(LIFETIME);

        time.advance(LAMEDUCK.minusMillis(1));
        assertThat(steps.calls).containsExactly("lameduck in LAMEDUCK");

        time.advance(Duration.ofMillis(1));
        assertThat(steps.calls).containsExactly("lameduck in LAMEDUCK", "drain in DRAINING", "halt in HALTED");
        assertThat(lifecycle.state()).isEqualTo(State.HALTED);
        assertTimeoutPreemptively(Duration.ofSeconds(5), recycler::awaitHalted);
    }

    @Test
    void sigtermDrainsButDoesNotHaltTheVm() {
        Retirement recycler = recycler(true);

        recycler.begin(Retirement.Reason.SIGTERM);
        assertThat(lifecycle.state()).isEqualTo(State.LAMEDUCK);
        time.advance(LAMEDUCK);

        assertThat(steps.calls).containsExactly("lameduck in LAMEDUCK", "drain in DRAINING");
        assertThat(lifecycle.state()).isEqualTo(State.HALTED);
        assertThat(recycler.reason()).isEqualTo(Retirement.Reason.SIGTERM);
        assertTimeoutPreemptively(Duration.ofSeconds(5), recycler::awaitHalted);
    }

    @Test
    void secondTriggerDuringLameduckChangesNothing() {
        Retirement recycler = recycler(true);
        recycler.begin(Retirement.Reason.SIGTERM);

        recycler.begin(Retirement.Reason.LIFETIME);
        recycler.begin(Retirement.Reason.SIGTERM);

        assertThat(steps.calls).containsExactly("lameduck in LAMEDUCK");
        assertThat(time.pending()).isEqualTo(1);
        time.advance(LAMEDUCK);
        assertThat(steps.calls).containsExactly("lameduck in LAMEDUCK", "drain in DRAINING");
        assertThat(recycler.reason()).isEqualTo(Retirement.Reason.SIGTERM);
    }

    @Test
    void lifetimeExpiringDuringASigtermLameduckDoesNotHalt() {
        Retirement recycler = recycler(true);
        recycler.startLifetime(Duration.ofSeconds(10));
        recycler.begin(Retirement.Reason.SIGTERM);

        time.advance(LAMEDUCK);

        assertThat(steps.calls).containsExactly("lameduck in LAMEDUCK", "drain in DRAINING");
        assertThat(recycler.reason()).isEqualTo(Retirement.Reason.SIGTERM);
    }

    @Test
    void triggerAfterHaltedChangesNothing() {
        Retirement recycler = recycler(true);
        recycler.begin(Retirement.Reason.LIFETIME);
        time.advance(LAMEDUCK);

        recycler.begin(Retirement.Reason.SIGTERM);
        time.advance(LAMEDUCK);

        assertThat(steps.calls).containsExactly("lameduck in LAMEDUCK", "drain in DRAINING", "halt in HALTED");
        assertThat(recycler.reason()).isEqualTo(Retirement.Reason.LIFETIME);
    }

    @Test
    void haltDisabledMeansLifetimeExpiryDrainsWithoutHalting() {
        Retirement recycler = recycler(false);
        recycler.startLifetime(LIFETIME);

        time.advance(LIFETIME.plus(LAMEDUCK));

        assertThat(steps.calls).containsExactly("lameduck in LAMEDUCK", "drain in DRAINING");
        assertThat(lifecycle.state()).isEqualTo(State.HALTED);
        assertTimeoutPreemptively(Duration.ofSeconds(5), recycler::awaitHalted);
    }

    @Test
    void failedDrainStillEndsHaltedAndHalts() {
        steps.failDrain = true;
        Retirement recycler = recycler(true);
        recycler.begin(Retirement.Reason.LIFETIME);

        time.advance(LAMEDUCK);

        assertThat(steps.calls).containsExactly("lameduck in LAMEDUCK", "drain in DRAINING", "halt in HALTED");
        assertThat(lifecycle.state()).isEqualTo(State.HALTED);
        assertTimeoutPreemptively(Duration.ofSeconds(5), recycler::awaitHalted);
    }

    @Test
    void failedHaltStillReleasesAwaitHalted() {
        steps.failHalt = true;
        Retirement recycler = recycler(true);
        recycler.begin(Retirement.Reason.LIFETIME);

        try {
            time.advance(LAMEDUCK);
        } catch (RuntimeException expected) {
            // The scheduler's thread sees the exception; what matters is that Main can still exit.
        }

        assertThat(lifecycle.state()).isEqualTo(State.HALTED);
        assertTimeoutPreemptively(Duration.ofSeconds(1), recycler::awaitHalted);
    }

    /** Records each step with the state the process was in when it ran. */
    private final class RecordingSteps implements Retirement.Steps {
        final List<String> calls = new ArrayList<>();
        boolean failDrain;
        boolean failHalt;

        @Override
        public void lameduck() {
            calls.add("lameduck in " + lifecycle.state());
        }

        @Override
        public void drain() {
            calls.add("drain in " + lifecycle.state());
            if (failDrain) {
                throw new IllegalStateException("jetty would not stop");
            }
        }

        @Override
        public void halt() {
            calls.add("halt in " + lifecycle.state());
            if (failHalt) {
                throw new IllegalStateException("sudo: a password is required");
            }
        }
    }
}
