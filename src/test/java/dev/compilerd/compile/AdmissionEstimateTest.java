package dev.compilerd.compile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Admission's judgement of time: fast 503s for requests that could not start in time, learning, draining. */
class AdmissionEstimateTest extends AdmissionTestBase {
    @Test
    void waiterStillWaitingAtTheLongestWaitIsTurnedAway() throws Exception {
        Admission quick = new Admission(1, 5, Duration.ofSeconds(2), ticker);
        quick.acquire(STAYS);
        CompletableFuture<Admission.Permit> waiter = queuedAcquire(quick, STAYS);

        ticker.advance(Duration.ofSeconds(3));

        assertThatThrownBy(() -> waiter.get(WAIT.toSeconds(), TimeUnit.SECONDS))
                .hasCauseInstanceOf(BusyException.class).hasMessageContaining("waited 2 s for a worker");
        assertThat(quick.waiting()).isZero();
    }

    @Test
    void requestThatCouldNotStartWithinTheLongestWaitIsTurnedAwayAtOnceWithRetryAfter() throws Exception {
        // One worker, runs assumed to take 1 s until one has finished: places 1..3 start within 3 s, place 4 cannot.
        Admission a = new Admission(1, 100, Duration.ofSeconds(3), ticker);
        a.acquire(STAYS);
        for (int i = 0; i < 3; i++) {
            queuedAcquire(a, STAYS);
        }

        assertThatThrownBy(() -> a.acquire(STAYS)).isInstanceOfSatisfying(BusyException.class, e -> {
            assertThat(e.outcome()).isEqualTo(Outcome.BUSY);
            assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(1));
            assertThat(e.getMessage()).contains("expected to start in 4000 ms, beyond the longest wait of 3 s");
        });
        assertThat(a.waiting()).isEqualTo(3);
    }

    @Test
    void theWaitCountsOnlyWhatIsLeftOfTheRunsGoingOn() throws Exception {
        // One worker, runs of 2 s learned, a longest wait of 3 s. With 1.5 s of the current run gone, place 1 should
        // start in 0.5 s and place 2 in 2.5 s (counting the whole run, it would be 4 s: a 503 for nothing).
        Admission a = new Admission(1, 100, Duration.ofSeconds(3), ticker);
        Admission.Permit learn = a.acquire(STAYS);
        ticker.advance(Duration.ofSeconds(2));
        learn.close();
        a.acquire(STAYS);
        ticker.advance(Duration.ofMillis(1500));

        queuedAcquire(a, STAYS);
        queuedAcquire(a, STAYS);

        assertThat(a.waiting()).isEqualTo(2);
        assertThatThrownBy(() -> a.acquire(STAYS)).isInstanceOfSatisfying(BusyException.class,
                e -> assertThat(e.getMessage()).contains("expected to start in 4500 ms"));
    }

    @Test
    void expectedWaitLearnsFromRecentRunTimes() throws Exception {
        Admission a = new Admission(1, 100, Duration.ofSeconds(3), ticker);
        for (int i = 0; i < 30; i++) { // runs of 100 ms, then one slow outlier the percentile shrugs off
            Admission.Permit p = a.acquire(STAYS);
            ticker.advance(Duration.ofMillis(i == 29 ? 5000 : 100));
            p.close();
        }
        assertThat(a.recentRunTime()).isEqualTo(Duration.ofMillis(100));
        a.acquire(STAYS);
        for (int i = 0; i < 20; i++) {
            queuedAcquire(a, STAYS); // 20 places of about 100 ms each fit in 3 s
        }
        assertThat(a.waiting()).isEqualTo(20);
    }

    @Test
    void drainTurnsAwayWaitersThatCouldNotFinishInTimeAndKeepsThoseThatCan() throws Exception {
        Admission a = new Admission(1, 100, Duration.ofSeconds(30), ticker);
        Admission.Permit running = a.acquire(STAYS);
        CompletableFuture<Admission.Permit> first = queuedAcquire(a, STAYS);   // starts in about 1 s
        CompletableFuture<Admission.Permit> second = queuedAcquire(a, STAYS);  // about 2 s
        CompletableFuture<Admission.Permit> third = queuedAcquire(a, STAYS);   // about 3 s

        // 4.5 s of drain left and runs of up to 2 s: nothing may start later than 2.5 s from now.
        a.drain(Duration.ofMillis(4500), Duration.ofSeconds(2));

        assertThatThrownBy(() -> third.get(WAIT.toSeconds(), TimeUnit.SECONDS))
                .hasCauseInstanceOf(BusyException.class)
                .satisfies(e -> assertThat(((BusyException) e.getCause()).outcome())
                        .isEqualTo(Outcome.SHUTTING_DOWN));
        assertThat(first).isNotDone();
        assertThat(second).isNotDone();
        running.close();
        first.get(WAIT.toSeconds(), TimeUnit.SECONDS).close();
        second.get(WAIT.toSeconds(), TimeUnit.SECONDS).close();
        ticker.advance(Duration.ofSeconds(3));
        assertThatThrownBy(() -> a.acquire(STAYS)).isInstanceOfSatisfying(BusyException.class,
                e -> assertThat(e.outcome()).isEqualTo(Outcome.SHUTTING_DOWN));
    }
}
