package dev.compilerd.compile;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/** At most {@code workers} runs at once and {@code queue} waiting; beyond that requests are turned away. Thread-safe. */
public final class Admission {
    /** How often a queued request checks whether its client is still there (it also checks when dequeued). */
    static final Duration POLL = Duration.ofMillis(500);

    private final Semaphore running;
    private final int workers;
    private final int queue;
    private final AtomicInteger waiting = new AtomicInteger();

    public Admission(int workers, int queue) {
        this.running = new Semaphore(workers, true);
        this.workers = workers;
        this.queue = queue;
    }

    /** Thrown when the queue is full: the caller answers 503 with Retry-After. */
    public static final class BusyException extends Exception {
        private static final long serialVersionUID = 1L;

        public BusyException() {
            super("server busy: " + "all workers and the queue are full", null, false, false);
        }
    }

    /** Thrown when the client went away while queued: no run is spent on it. */
    public static final class AbandonedException extends Exception {
        private static final long serialVersionUID = 1L;

        public AbandonedException() {
            super("client went away while queued", null, false, false);
        }
    }

    /** A held worker slot; close it to free the slot. */
    public interface Permit extends AutoCloseable {
        @Override
        void close();
    }

    /** Waits for a worker, giving up if the queue is full or {@code abandoned} turns true. */
    public Permit acquire(BooleanSupplier abandoned) throws BusyException, AbandonedException, InterruptedException {
        if (!running.tryAcquire()) {
            if (waiting.incrementAndGet() > queue) {
                waiting.decrementAndGet();
                throw new BusyException();
            }
            try {
                while (!running.tryAcquire(POLL.toMillis(), TimeUnit.MILLISECONDS)) {
                    if (abandoned.getAsBoolean()) {
                        throw new AbandonedException();
                    }
                }
            } finally {
                waiting.decrementAndGet();
            }
            if (abandoned.getAsBoolean()) {
                running.release();
                throw new AbandonedException();
            }
        }
        java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();
        return () -> {
            if (released.compareAndSet(false, true)) {
                running.release();
            }
        };
    }

    public int waiting() {
        return waiting.get();
    }

    public int inFlight() {
        return workers - running.availablePermits();
    }
}
