package dev.compilerd.compile;

import com.google.common.base.Ticker;
import java.time.Duration;

/**
 * A circuit breaker for the shared cache tier: after {@code failures} failures in a row it opens and calls are
 * skipped for {@code openFor}; then one trial call is let through (half open), and its result closes or reopens
 * it. A slow or dead store then costs a request nothing at all. Thread-safe.
 */
final class Breaker {
    private final int failuresToOpen;
    private final long openForNanos;
    private final Ticker ticker;
    private int failures;
    private long openUntil;
    private boolean trialOut;

    Breaker(int failuresToOpen, Duration openFor, Ticker ticker) {
        this.failuresToOpen = failuresToOpen;
        this.openForNanos = openFor.toNanos();
        this.ticker = ticker;
    }

    /** Whether a call may go ahead now; when half open, only the one trial call may. */
    synchronized boolean allow() {
        if (!isOpen()) {
            return true;
        }
        if (ticker.read() < openUntil || trialOut) {
            return false;
        }
        trialOut = true;
        return true;
    }

    synchronized void success() {
        failures = 0;
        trialOut = false;
    }

    synchronized void failure() {
        failures++;
        if (isOpen()) {
            trialOut = false;
            openUntil = ticker.read() + openForNanos;
        }
    }

    /** Whether the last call failed: what may be skipped without harm (a run's mark) is then skipped at once. */
    synchronized boolean failing() {
        return failures > 0;
    }

    /** Open means calls are being skipped (including while a trial call is out). */
    synchronized boolean isOpen() {
        return failures >= failuresToOpen;
    }
}
