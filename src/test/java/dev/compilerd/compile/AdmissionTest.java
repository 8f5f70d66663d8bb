package dev.compilerd.compile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

class AdmissionTest extends AdmissionTestBase {

    private final Admission admission = new Admission(1, 1, Duration.ofMinutes(1), ticker);

    /** Starts an acquire on another thread and returns once it is queued. */
    private CompletableFuture<Admission.Permit> queuedAcquire(BooleanSupplier abandoned) {
        return queuedAcquire(admission, abandoned);
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
        List<Integer> order = Collections.synchronizedList(new ArrayList<>());
        List<CompletableFuture<Void>> all = new ArrayList<>();
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
            await().until(() -> wide.waiting() == queued);
        }
        holder.close();
        all.forEach(CompletableFuture::join);
        assertThat(order).containsExactly(0, 1, 2, 3, 4);
        first.close();
    }
}
