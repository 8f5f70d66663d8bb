package dev.compilerd.compile;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;

/** A manual clock and threads to queue acquisitions on, shut down after each test. */
abstract class AdmissionTestBase {
    static final BooleanSupplier STAYS = () -> false;
    static final Duration WAIT = Duration.ofSeconds(5);

    final ManualTicker ticker = new ManualTicker();
    final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    /** Starts an acquire on another thread and returns once it is queued (or already answered). */
    CompletableFuture<Admission.Permit> queuedAcquire(Admission admission, BooleanSupplier abandoned) {
        int before = admission.waiting();
        CompletableFuture<Admission.Permit> f = CompletableFuture.supplyAsync(() -> {
            try {
                return admission.acquire(abandoned);
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        }, threads);
        await().atMost(WAIT).until(() -> admission.waiting() == before + 1 || f.isDone());
        return f;
    }
}
