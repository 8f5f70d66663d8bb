package dev.compilerd.modules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SingleFlightTest {
    private final SingleFlight<String> flights = new SingleFlight<>();

    @Test
    void aWaitingCallerTakesOverWorkWhoseCallerWasInterrupted() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch leading = new CountDownLatch(1);
        Thread leader = new Thread(() -> {
            try {
                flights.run("k", () -> {
                    runs.incrementAndGet();
                    leading.countDown();
                    new CountDownLatch(1).await(); // until interrupted
                    return "never";
                });
            } catch (InterruptedException expected) {
                // the program's deadline
            }
        });
        leader.start();
        leading.await();
        CompletableFuture<String> follower = CompletableFuture.supplyAsync(() -> {
            try {
                return flights.run("k", () -> "second run #" + runs.incrementAndGet());
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> flights.waiting() == 1);

        leader.interrupt();

        assertThat(follower.get()).isEqualTo("second run #2");
        leader.join();
    }

    @Test
    void aFailureReachesEveryoneWaitingAndTheNextCallRunsAgain() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch fail = new CountDownLatch(1);
        CompletableFuture<String> leader = CompletableFuture.supplyAsync(() -> {
            try {
                return flights.run("k", () -> {
                    started.countDown();
                    fail.await();
                    throw new IllegalStateException("boom");
                });
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        started.await();
        CompletableFuture<String> follower = CompletableFuture.supplyAsync(() -> {
            try {
                return flights.run("k", () -> "not run");
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> flights.waiting() == 1);
        fail.countDown();

        for (CompletableFuture<String> f : java.util.List.of(leader, follower)) {
            try {
                f.get();
            } catch (ExecutionException e) {
                assertThat(e.getCause()).hasMessage("boom");
                continue;
            }
            throw new AssertionError("expected the failure");
        }
        assertThat(flights.run("k", () -> "again")).isEqualTo("again");
    }
}
