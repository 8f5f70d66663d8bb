package dev.compilerd.compile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.common.base.Ticker;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AdmissionTest {
    private static final BooleanSupplier STAYS = () -> false;
    private static final Duration WAIT = Duration.ofSeconds(5);

    private final ManualTicker ticker = new ManualTicker();
    private final Admission admission = new Admission(1, 1, Duration.ofMinutes(1), ticker);
    private final ExecutorService threads = Executors.newCachedThreadPool();

    /** Time that moves only when a test says so. */
    static final class ManualTicker extends Ticker {
        private final AtomicLong nanos = new AtomicLong();

        @Override
        public long read() {
            return nanos.get();
        }

        void advance(Duration d) {
            nanos.addAndGet(d.toNanos());
        }
    }

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    /** Starts an acquire on another thread and returns once it is queued. */
    private CompletableFuture<Admission.Permit> queuedAcquire(BooleanSupplier abandoned) {
        return queuedAcquire(admission, abandoned);
    }

    private CompletableFuture<Admission.Permit> queuedAcquire(Admission admission, BooleanSupplier abandoned) {
        int before = admission.waiting();
        CompletableFuture<Admission.Permit> f = CompletableFuture.supplyAsync(() -> {
            try {
                return admission.acquire(abandoned);
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        }, threads);
        await().atMost(WAIT).until(() -> admission.waiting() == before + 1 || f.isDone());
        return f;
    }

    @Test
    void firstRequestGetsAWorkerAtOnce() throws Exception {
        Admission.Permit permit = admission.acquire(STAYS);

        assertThat(admission.inFlight()).isEqualTo(1);
        assertThat(admission.waiting()).isZero();
        permit.close();
        assertThat(admission.inFlight()).isZero();
    }

    @Test
    void secondRequestWaitsWhileTheWorkerIsBusy() throws Exception {
        admission.acquire(STAYS);

        CompletableFuture<Admission.Permit> second = queuedAcquire(STAYS);

        assertThat(second).isNotDone();
        assertThat(admission.waiting()).isEqualTo(1);
    }

    @Test
    void requestBeyondWorkersAndQueueIsTurnedAwayAtOnce() throws Exception {
        admission.acquire(STAYS);
        queuedAcquire(STAYS);

        assertThatThrownBy(() -> admission.acquire(STAYS))
                .isInstanceOf(BusyException.class)
                .hasMessage("all 1 workers and 1 queue places are taken");
        assertThat(admission.waiting()).isEqualTo(1);
    }

    @Test
    void releasingTheWorkerLetsTheWaiterIn() throws Exception {
        Admission.Permit first = admission.acquire(STAYS);
        CompletableFuture<Admission.Permit> second = queuedAcquire(STAYS);

        first.close();

        Admission.Permit permit = second.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(admission.inFlight()).isEqualTo(1);
        assertThat(admission.waiting()).isZero();
        permit.close();
        assertThat(admission.inFlight()).isZero();
    }

    @Test
    void waiterWhoseClientGoesAwayIsAbandonedAndConsumesNoWorker() throws Exception {
        Admission.Permit first = admission.acquire(STAYS);
        AtomicBoolean gone = new AtomicBoolean();
        CompletableFuture<Admission.Permit> waiter = queuedAcquire(gone::get);

        gone.set(true);

        assertThatThrownBy(() -> waiter.get(WAIT.toSeconds(), TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(AbandonedException.class);
        assertThat(admission.waiting()).isZero();
        assertThat(admission.inFlight()).isEqualTo(1);
        first.close();
        assertThat(admission.inFlight()).isZero();
    }

    @Test
    void waiterAbandonedJustAsTheWorkerFreesUpGivesTheWorkerBack() throws Exception {
        Admission.Permit first = admission.acquire(STAYS);
        AtomicBoolean gone = new AtomicBoolean();
        CompletableFuture<Admission.Permit> waiter = queuedAcquire(gone::get);

        gone.set(true);
        first.close();

        assertThatThrownBy(() -> waiter.get(WAIT.toSeconds(), TimeUnit.SECONDS))
                .hasCauseInstanceOf(AbandonedException.class);
        assertThat(admission.inFlight()).isZero();
        Admission.Permit next = admission.acquire(STAYS);
        assertThat(admission.inFlight()).isEqualTo(1);
        next.close();
    }

    @Test
    void abandonedWaiterFreesItsQueueSlot() throws Exception {
        admission.acquire(STAYS);
        AtomicBoolean gone = new AtomicBoolean();
        CompletableFuture<Admission.Permit> waiter = queuedAcquire(gone::get);
        gone.set(true);
        await().atMost(WAIT).until(waiter::isDone);

        CompletableFuture<Admission.Permit> next = queuedAcquire(STAYS);

        assertThat(next).isNotDone();
        assertThat(admission.waiting()).isEqualTo(1);
    }

    @Test
    void interruptedWaiterLeavesTheQueue() throws Exception {
        admission.acquire(STAYS);
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread waiter = new Thread(() -> {
            try {
                admission.acquire(STAYS);
                outcome.complete(null);
            } catch (Exception e) {
                outcome.complete(e);
            }
        });
        waiter.start();
        await().atMost(WAIT).until(() -> admission.waiting() == 1);

        waiter.interrupt();

        assertThat(outcome.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
        assertThat(admission.waiting()).isZero();
    }

    @Test
    void zeroQueueTurnsAwayEveryRequestBeyondTheWorkers() throws Exception {
        Admission noQueue = new Admission(2, 0, Duration.ofMinutes(1), ticker);
        noQueue.acquire(STAYS);
        noQueue.acquire(STAYS);

        assertThatThrownBy(() -> noQueue.acquire(STAYS)).isInstanceOf(BusyException.class);
        assertThat(noQueue.inFlight()).isEqualTo(2);
        assertThat(noQueue.waiting()).isZero();
    }

    @Test
    void waitersAreAdmittedInArrivalOrder() throws Exception {
        Admission.Permit first = admission.acquire(STAYS);
        Admission wide = new Admission(1, 10, Duration.ofMinutes(1), ticker);
        Admission.Permit holder = wide.acquire(STAYS);
        java.util.List<Integer> order = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        java.util.List<CompletableFuture<Void>> all = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            int id = i;
            all.add(CompletableFuture.runAsync(() -> {
                try (Admission.Permit p = wide.acquire(STAYS)) {
                    order.add(id);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, threads));
            int queued = i + 1;
            org.awaitility.Awaitility.await().until(() -> wide.waiting() == queued);
        }
        holder.close();
        all.forEach(CompletableFuture::join);
        assertThat(order).containsExactly(0, 1, 2, 3, 4);
        first.close();
    }

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
