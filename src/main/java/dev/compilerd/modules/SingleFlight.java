package dev.compilerd.modules;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs identical work once at a time: callers that ask for a key while its work is in flight wait for that work's
 * result instead of repeating it. If the caller doing the work is interrupted (its program's deadline), a waiting
 * caller takes the work over rather than failing with it. Thread-safe.
 */
final class SingleFlight<T> {
    /** The work behind a key; it may be interrupted. */
    interface Work<T> {
        T run() throws InterruptedException;
    }

    /** Marks work abandoned by an interrupted caller. */
    private static final class Abandoned extends RuntimeException {
        Abandoned() {
            super(null, null, false, false);
        }
    }

    private final ConcurrentHashMap<String, CompletableFuture<T>> inFlight = new ConcurrentHashMap<>();
    private final AtomicInteger waiting = new AtomicInteger();

    /** The result of the key's work: this caller's own, or that of the identical work already in flight. */
    T run(String key, Work<T> work) throws InterruptedException {
        while (true) {
            CompletableFuture<T> mine = new CompletableFuture<>();
            CompletableFuture<T> running = inFlight.putIfAbsent(key, mine);
            if (running == null) {
                return lead(key, mine, work);
            }
            waiting.incrementAndGet();
            try {
                return running.get();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof Abandoned)) {
                    throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                }
            } finally {
                waiting.decrementAndGet();
            }
        }
    }

    /** Callers waiting now for work another caller is doing. */
    int waiting() {
        return waiting.get();
    }

    private T lead(String key, CompletableFuture<T> mine, Work<T> work) throws InterruptedException {
        try {
            T result = work.run();
            mine.complete(result);
            return result;
        } catch (InterruptedException e) {
            mine.completeExceptionally(new Abandoned());
            throw e;
        } catch (RuntimeException | Error e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            inFlight.remove(key, mine);
        }
    }
}
