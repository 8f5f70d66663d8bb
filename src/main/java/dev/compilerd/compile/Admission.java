package dev.compilerd.compile;

import com.google.common.base.Ticker;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * At most {@code workers} runs at once and {@code queue} waiting, first come first served. A request that cannot
 * start within {@code maxWait}, judged from its place in line, what is left of the runs going on and recent run
 * times, is turned away at once (a fast
 * 503 lets the frontend try another VM); one that still waits {@code maxWait} is turned away then. While draining,
 * a waiter that could not finish before the drain ends is turned away as soon as that is known. Thread-safe.
 */
public final class Admission {
    /** How often a waiting request checks whether its client is still there (it also checks when dequeued). */
    static final Duration POLL = Duration.ofMillis(500);
    /** The run time assumed before any run has finished. */
    static final Duration RUN_TIME_PRIOR = Duration.ofSeconds(1);
    /** How many recent runs the expected wait is judged by. */
    static final int RECENT_RUNS = 20;
    /** Which of them: a high percentile, so a wait is rather overestimated (a fast 503) than under (a slow one). */
    static final double RUN_TIME_PERCENTILE = 0.9;

    private final int workers;
    private final int queue;
    private final Duration maxWait;
    private final Ticker ticker;
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    private int running;
    /** When each run holding a worker began, so a wait counts only what is left of them. */
    private final List<Long> starts = new ArrayList<>();
    private final long[] recent = new long[RECENT_RUNS];
    private int recorded;
    private long runNanos = RUN_TIME_PRIOR.toNanos();
    /** While draining: the latest moment a run may start and still end before the drain does; else MAX_VALUE. */
    private long lastStart = Long.MAX_VALUE;

    public Admission(int workers, int queue, Duration maxWait, Ticker ticker) {
        this.workers = workers;
        this.queue = queue;
        this.maxWait = maxWait;
        this.ticker = ticker;
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

    /** Waits in line for a worker, giving up if the wait would be or is too long, the queue full, or the client gone. */
    public Permit acquire(BooleanSupplier abandoned) throws BusyException, AbandonedException, InterruptedException {
        long now = ticker.read();
        long deadline = now + maxWait.toNanos();
        lock.lock();
        try {
            if (running < workers && waiters.isEmpty() && now <= lastStart) {
                running++;
                return permit();
            }
            if (waiters.size() >= queue) {
                throw busy("all " + workers + " workers and " + queue + " queue places are taken", waiters.size() + 1);
            }
            checkStart(waiters.size() + 1, now, deadline);
            Waiter me = new Waiter(lock.newCondition());
            waiters.addLast(me);
            try {
                while (!me.admitted) {
                    now = ticker.read();
                    if (now >= Math.min(deadline, lastStart)) {
                        throw busy("waited " + maxWait.toSeconds() + " s for a worker", position(me));
                    }
                    checkStart(position(me), now, Long.MAX_VALUE); // only the drain can shorten a wait begun
                    me.turn.await(Math.min(Math.min(deadline, lastStart) - now, POLL.toNanos()), TimeUnit.NANOSECONDS);
                    if (!me.admitted && abandoned.getAsBoolean()) {
                        throw new AbandonedException();
                    }
                }
            } catch (BusyException | AbandonedException | InterruptedException e) {
                if (me.admitted) {
                    release(0); // admitted just as we gave up: pass the slot on
                } else {
                    waiters.remove(me);
                }
                throw e;
            }
        } finally {
            lock.unlock();
        }
        if (abandoned.getAsBoolean()) {
            release(0);
            throw new AbandonedException();
        }
        return permit();
    }

    /** Turns the request away now if, at this place in line, it would start after its deadline or the drain's. */
    private void checkStart(int position, long now, long deadline) throws BusyException {
        long start = now + expectedWait(position);
        if (start > Math.min(deadline, lastStart)) {
            throw busy("expected to start in " + Duration.ofNanos(start - now).toMillis() + " ms, beyond "
                    + (start > deadline ? "the longest wait of " + maxWait.toSeconds() + " s" : "the drain"), position);
        }
    }

    /**
     * How long the request at this place in line (1 = next) should wait for a worker: what is left of the runs now
     * holding the workers (judged by the recent run time), then whole runs for those further back.
     */
    private long expectedWait(int position) {
        long now = ticker.read();
        long[] free = new long[workers]; // from now until each worker frees up; 0 for one that is idle
        for (int i = 0; i < Math.min(workers, starts.size()); i++) {
            free[i] = Math.max(0, runNanos - (now - starts.get(i)));
        }
        Arrays.sort(free);
        int ahead = position - 1;
        return free[ahead % workers] + (long) (ahead / workers) * runNanos;
    }

    private int position(Waiter w) {
        int i = 1;
        for (Waiter x : waiters) {
            if (x == w) {
                return i;
            }
            i++;
        }
        return i;
    }

    private BusyException busy(String why, int position) {
        Outcome outcome = lastStart == Long.MAX_VALUE ? Outcome.BUSY : Outcome.SHUTTING_DOWN;
        long excess = expectedWait(position) - maxWait.toNanos();
        return new BusyException(why, Duration.ofNanos(Math.max(BusyException.MIN_RETRY_AFTER.toNanos(), excess)), outcome);
    }

    /**
     * Starts draining: from now on no run may start later than {@code drainLeft - runTime} from now, so every run
     * ends within the drain; waiters that cannot start by then are turned away at once, while frontends can still
     * retry elsewhere.
     */
    public void drain(Duration drainLeft, Duration runTime) {
        lock.lock();
        try {
            lastStart = ticker.read() + drainLeft.minus(runTime).toNanos();
            waiters.forEach(w -> w.turn.signal());
        } finally {
            lock.unlock();
        }
    }

    private Permit permit() {
        long start = ticker.read();
        lock.lock();
        try {
            starts.add(start);
        } finally {
            lock.unlock();
        }
        AtomicBoolean released = new AtomicBoolean();
        return () -> {
            if (released.compareAndSet(false, true)) {
                lock.lock();
                try {
                    starts.remove(Long.valueOf(start));
                } finally {
                    lock.unlock();
                }
                release(ticker.read() - start);
            }
        };
    }

    /** Frees a slot and hands it straight to the first waiter, so nobody can jump the line. */
    private void release(long heldNanos) {
        lock.lock();
        try {
            if (heldNanos > 0) {
                recent[recorded++ % RECENT_RUNS] = heldNanos;
                long[] sorted = Arrays.copyOf(recent, Math.min(recorded, RECENT_RUNS));
                Arrays.sort(sorted);
                runNanos = sorted[(int) Math.ceil(RUN_TIME_PERCENTILE * sorted.length) - 1];
            }
            Waiter next = ticker.read() > lastStart ? null : waiters.pollFirst();
            if (next == null) {
                running--;
                waiters.forEach(w -> w.turn.signal()); // past the drain's last start: let them leave now
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

    /** The run time waits are judged by: the 90th percentile of the last 20 runs. */
    public Duration recentRunTime() {
        lock.lock();
        try {
            return Duration.ofNanos(runNanos);
        } finally {
            lock.unlock();
        }
    }
}
