package dev.compilerd.compile;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * At most {@code workers} runs at once and {@code queue} waiting, served first come first served; a request
 * waits at most {@code maxWait}. Beyond that requests are turned away. Thread-safe.
 */
public final class Admission {
    /** How often a queued request checks whether its client is still there (it also checks when dequeued). */
    static final Duration POLL = Duration.ofMillis(500);
    private static final Duration RETRY = Duration.ofSeconds(2);

    private final int workers;
    private final int queue;
    private final Duration maxWait;
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    private int running;

    public Admission(int workers, int queue, Duration maxWait) {
        this.workers = workers;
        this.queue = queue;
        this.maxWait = maxWait;
    }

    /** Thrown when the queue is full or the wait too long: the caller answers 503 with Retry-After. */
    public static final class BusyException extends Exception implements Outcome.Failure {
        private static final long serialVersionUID = 1L;
        private final transient Duration retryAfter;

        public BusyException(String message, Duration retryAfter) {
            super(message, null, false, false);
            this.retryAfter = retryAfter;
        }

        /** When a retry here is likely to be admitted. */
        public Duration retryAfter() {
            return retryAfter;
        }

        @Override
        public Outcome outcome() {
            return Outcome.BUSY;
        }
    }

    /** Thrown when the client went away while queued: no run is spent on it. */
    public static final class AbandonedException extends Exception implements Outcome.Failure {
        private static final long serialVersionUID = 1L;

        public AbandonedException() {
            super("client went away while queued", null, false, false);
        }

        @Override
        public Outcome outcome() {
            return Outcome.ABANDONED;
        }
    }

    /** A held worker slot; closing it (once or more) frees the slot for the next in line. */
    public interface Permit extends AutoCloseable {
        @Override
        void close();
    }

    private static final class Waiter {
        final Condition turn;
        boolean admitted;

        Waiter(Condition turn) {
            this.turn = turn;
        }
    }

    /** Waits in line for a worker, giving up if the queue is full, the wait too long, or the client gone. */
    public Permit acquire(BooleanSupplier abandoned) throws BusyException, AbandonedException, InterruptedException {
        long deadline = System.nanoTime() + maxWait.toNanos();
        lock.lock();
        try {
            if (running < workers && waiters.isEmpty()) {
                running++;
                return permit();
            }
            if (waiters.size() >= queue) {
                throw new BusyException("all " + workers + " workers and " + queue + " queue places are taken", RETRY);
            }
            Waiter me = new Waiter(lock.newCondition());
            waiters.addLast(me);
            try {
                while (!me.admitted) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new BusyException("waited " + maxWait.toSeconds() + " s for a worker", RETRY);
                    }
                    me.turn.await(Math.min(left, POLL.toNanos()), TimeUnit.NANOSECONDS);
                    if (!me.admitted && abandoned.getAsBoolean()) {
                        throw new AbandonedException();
                    }
                }
            } catch (BusyException | AbandonedException | InterruptedException e) {
                if (me.admitted) {
                    release(); // admitted just as we gave up: pass the slot on
                } else {
                    waiters.remove(me);
                }
                throw e;
            }
        } finally {
            lock.unlock();
        }
        if (abandoned.getAsBoolean()) {
            release();
            throw new AbandonedException();
        }
        return permit();
    }

    private Permit permit() {
        AtomicBoolean released = new AtomicBoolean();
        return () -> {
            if (released.compareAndSet(false, true)) {
                release();
            }
        };
    }

    /** Frees a slot and hands it straight to the first waiter, so nobody can jump the line. */
    private void release() {
        lock.lock();
        try {
            Waiter next = waiters.pollFirst();
            if (next == null) {
                running--;
            } else {
                next.admitted = true;
                next.turn.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    public int waiting() {
        lock.lock();
        try {
            return waiters.size();
        } finally {
            lock.unlock();
        }
    }

    public int inFlight() {
        lock.lock();
        try {
            return running;
        } finally {
            lock.unlock();
        }
    }
}
