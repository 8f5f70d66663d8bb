package dev.compilerd.lifecycle;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one owner of the process state: moves only forward one step at a time, ignores repeated triggers and
 * rejects skips. Thread-safe; readers see the state without locking.
 */
public final class Lifecycle {
    private static final Logger LOG = LoggerFactory.getLogger(Lifecycle.class);

    private final Clock clock;
    private volatile State state = State.STARTING;
    private volatile Instant since;

    public Lifecycle(Clock clock) {
        this.clock = clock;
        this.since = clock.instant();
    }

    /**
     * Moves to {@code next} if it is the state right after the current one and returns true; returns false if
     * the process is already there or past it (a repeated trigger); throws if it would skip a state.
     */
    public synchronized boolean advance(State next) {
        if (next.ordinal() <= state.ordinal()) {
            return false;
        }
        if (next.ordinal() != state.ordinal() + 1) {
            throw new IllegalStateException("illegal transition " + state + " -> " + next);
        }
        Instant now = clock.instant();
        LOG.info("lifecycle {} -> {} after {} ms in {}", state, next, Duration.between(since, now).toMillis(), state);
        state = next;
        since = now;
        return true;
    }

    public State state() {
        return state;
    }

    /** How long the process has been in its current state (a lameduck or drain that lasts too long is stuck). */
    public Duration timeInState() {
        return Duration.between(since, clock.instant());
    }

    /** Healthy for the load balancer only while SERVING. */
    public boolean healthy() {
        return state == State.SERVING;
    }

    /** From lameduck on, connections are closed after each response so clients move to other VMs. */
    public boolean closingConnections() {
        return state.ordinal() >= State.LAMEDUCK.ordinal();
    }
}
