package dev.compilerd.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RetirementTest {
    private static final Duration LAMEDUCK = Duration.ofSeconds(20);
    private static final Duration LIFETIME = Duration.ofMinutes(45);

    private final ManualTime time = new ManualTime();
    private final Lifecycle lifecycle = new Lifecycle(time);
    private final RecordingSteps steps = new RecordingSteps();

    @BeforeEach
    void serve() {
        lifecycle.advance(State.SERVING);
    }

    private Retirement retirement(boolean haltEnabled) {
        return new Retirement(lifecycle, time, LAMEDUCK, haltEnabled, steps);
    }

    @Test
    void nothingHappensBeforeTheLifetimeEnds() {
        retirement(true).startLifetime(LIFETIME);

        time.advance(LIFETIME.minusMillis(1));

        assertThat(lifecycle.state()).isEqualTo(State.SERVING);
        assertThat(steps.calls).isEmpty();
    }

    @Test
    void lifetimeExpiryStartsLameduckAndFailsHealthChecks() {
        Retirement retirement = retirement(true);
        retirement.startLifetime(LIFETIME);

        time.advance(LIFETIME);

        assertThat(lifecycle.state()).isEqualTo(State.LAMEDUCK);
        assertThat(lifecycle.healthy()).isFalse();
        assertThat(steps.calls).containsExactly("lameduck in LAMEDUCK");
        assertThat(retirement.reason()).isEqualTo(Retirement.Reason.LIFETIME);
    }

    @Test
    void afterTheLameduckPeriodLifetimeExpiryDrainsThenHalts() {
        Retirement retirement = retirement(true);
        retirement.startLifetime(LIFETIME);
        time.advance(LIFETIME);

        time.advance(LAMEDUCK.minusMillis(1));
        assertThat(steps.calls).containsExactly("lameduck in LAMEDUCK");

        time.advance(Duration.ofMillis(1));
        assertThat(steps.calls).containsExactly("lameduck in LAMEDUCK", "drain in DRAINING", "halt in HALTED");
        assertThat(lifecycle.state()).isEqualTo(State.HALTED);
        assertTimeoutPreemptively(Duration.ofSeconds(5), retirement::awaitHalted);
    }

    @Test
    void sigtermDrainsButDoesNotHaltTheVm() {
        Retirement retirement = retirement(true);

        retirement.begin(Retirement.Reason.SIGTERM);
        assertThat(lifecycle.state()).isEqualTo(State.LAMEDUCK);
        time.advance(LAMEDUCK);

        assertThat(steps.calls).containsExactly("lameduck in LAMEDUCK", "drain in DRAINING");
        assertThat(lifecycle.state()).isEqualTo(State.HALTED);
        assertThat(retirement.reason()).isEqualTo(Retirement.Reason.SIGTERM);
        assertTimeoutPreemptively(Duration.ofSeconds(5), retirement::awaitHalted);
    }

    @Test
    void secondTriggerDuringLameduckChangesNothing() {
        Retirement retirement = retirement(true);
        retirement.begin(Retirement.Reason.SIGTERM);

        retirement.begin(Retirement.Reason.LIFETIME);
        retirement.begin(Retirement.Reason.SIGTERM);

        assertThat(steps.calls).containsExactly("lameduck in LAMEDUCK");
        assertThat(time.pending()).isEqualTo(1);
        time.advance(LAMEDUCK);
        assertThat(steps.calls).containsExactly("lameduck in LAMEDUCK", "drain in DRAINING");
        assertThat(retirement.reason()).isEqualTo(Retirement.Reason.SIGTERM);
    }

    @Test
    void lifetimeExpiringDuringASigtermLameduckDoesNotHalt() {
        Retirement retirement = retirement(true);
        retirement.startLifetime(Duration.ofSeconds(10));
        retirement.begin(Retirement.Reason.SIGTERM);

        time.advance(LAMEDUCK);

        assertThat(steps.calls).containsExactly("lameduck in LAMEDUCK", "drain in DRAINING");
        assertThat(retirement.reason()).isEqualTo(Retirement.Reason.SIGTERM);
    }

    @Test
    void triggerAfterHaltedChangesNothing() {
        Retirement retirement = retirement(true);
        retirement.begin(Retirement.Reason.LIFETIME);
        time.advance(LAMEDUCK);

        retirement.begin(Retirement.Reason.SIGTERM);
        time.advance(LAMEDUCK);

        assertThat(steps.calls).containsExactly("lameduck in LAMEDUCK", "drain in DRAINING", "halt in HALTED");
        assertThat(retirement.reason()).isEqualTo(Retirement.Reason.LIFETIME);
    }

    @Test
    void haltDisabledMeansLifetimeExpiryDrainsWithoutHalting() {
        Retirement retirement = retirement(false);
        retirement.startLifetime(LIFETIME);

        time.advance(LIFETIME.plus(LAMEDUCK));

        assertThat(steps.calls).containsExactly("lameduck in LAMEDUCK", "drain in DRAINING");
        assertThat(lifecycle.state()).isEqualTo(State.HALTED);
        assertTimeoutPreemptively(Duration.ofSeconds(5), retirement::awaitHalted);
    }

    @Test
    void failedDrainStillEndsHaltedAndHalts() {
        steps.failDrain = true;
        Retirement retirement = retirement(true);
        retirement.begin(Retirement.Reason.LIFETIME);

        time.advance(LAMEDUCK);

        assertThat(steps.calls).containsExactly("lameduck in LAMEDUCK", "drain in DRAINING", "halt in HALTED");
        assertThat(lifecycle.state()).isEqualTo(State.HALTED);
        assertTimeoutPreemptively(Duration.ofSeconds(5), retirement::awaitHalted);
    }

    @Test
    void failedHaltStillReleasesAwaitHalted() {
        steps.failHalt = true;
        Retirement retirement = retirement(true);
        retirement.begin(Retirement.Reason.LIFETIME);

        time.advance(LAMEDUCK); // the halt step throws; Retirement logs it and still ends

        assertThat(lifecycle.state()).isEqualTo(State.HALTED);
        assertTimeoutPreemptively(Duration.ofSeconds(1), retirement::awaitHalted);
    }

    /** The fleet's answers to "may I retire now?", in order; the last one repeats. */
    private static final class ScriptedTurns implements RetirementTurns {
        final List<Boolean> answers;
        int asked;

        ScriptedTurns(Boolean... answers) {
            this.answers = List.of(answers);
        }

        @Override
        public boolean take() {
            return answers.get(Math.min(asked++, answers.size() - 1));
        }
    }

    private Retirement retirement(RetirementTurns turns, Duration turnWait) {
        return new Retirement(lifecycle, time, LAMEDUCK, true, steps, turns, turnWait);
    }

    @Test
    void aServerWhoseLifetimeEndsWhileAnotherRetiresWaitsForItsTurn() {
        ScriptedTurns turns = new ScriptedTurns(false, false, true);
        retirement(turns, Duration.ofMinutes(5)).startLifetime(LIFETIME);

        time.advance(LIFETIME);
        assertThat(lifecycle.state()).as("no turn yet").isEqualTo(State.SERVING);
        assertThat(lifecycle.healthy()).isTrue();
        time.advance(Retirement.TURN_RETRY);
        assertThat(lifecycle.state()).isEqualTo(State.SERVING);

        time.advance(Retirement.TURN_RETRY);

        assertThat(lifecycle.state()).as("its turn").isEqualTo(State.LAMEDUCK);
        assertThat(turns.asked).isEqualTo(3);
        assertThat(steps.calls).containsExactly("lameduck in LAMEDUCK");
    }

    @Test
    void aServerThatGetsNoTurnRetiresAfterTheLongestWaitAnyway() {
        ScriptedTurns turns = new ScriptedTurns(false);
        Duration wait = Duration.ofSeconds(10);
        retirement(turns, wait).startLifetime(LIFETIME);

        time.advance(LIFETIME.plus(wait).minusMillis(1));
        assertThat(lifecycle.state()).isEqualTo(State.SERVING);

        time.advance(Duration.ofMillis(1));

        assertThat(lifecycle.state()).isEqualTo(State.LAMEDUCK);
        time.advance(LAMEDUCK);
        assertThat(steps.calls).containsExactly("lameduck in LAMEDUCK", "drain in DRAINING", "halt in HALTED");
    }

    @Test
    void aSigtermNeedsNoTurnAndEndsTheWaitForOne() {
        ScriptedTurns turns = new ScriptedTurns(false);
        Retirement retirement = retirement(turns, Duration.ofMinutes(5));
        retirement.startLifetime(LIFETIME);
        time.advance(LIFETIME);
        int asked = turns.asked;

        retirement.begin(Retirement.Reason.SIGTERM);
        time.advance(Duration.ofMinutes(1));

        assertThat(lifecycle.state()).isEqualTo(State.HALTED);
        assertThat(turns.asked).as("no more turns asked for").isEqualTo(asked);
        assertThat(steps.calls).containsExactly("lameduck in LAMEDUCK", "drain in DRAINING");
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
