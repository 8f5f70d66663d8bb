package dev.compilerd.sandbox;

import com.google.common.base.Ticker;

/**
 * How many warm containers the request rate needs: enough that the next request finds one while the last one taken
 * is still being replaced, that is the time a start takes over the time between requests (both smoothed, with a
 * margin). An idle runsc sandbox costs CPU, so a trickle keeps the minimum and only a stream keeps more. Thread-safe.
 */
final class PoolDemand {
    /**
     * Wanted containers per container start that fits between two requests; above 1 because with one container at a
     * request a second each answer came 50 ms later, at no less CPU, than with two (README, Benchmarks).
     */
    static final double MARGIN = 3;
    /** Weight of the newest sample in the smoothed start time and gap between requests. */
    static final double WEIGHT = 0.3;

    private final int min;
    private final int max;
    private final long quietForMinNanos;
    private final Ticker ticker;
    private long lastArrival;
    private boolean arrived;
    private double gapNanos = Double.NaN;
    private double startNanos = Double.NaN;

    /** After quietForMinNanos without a request only the minimum is wanted, whatever the rate was. */
    PoolDemand(int min, int max, long quietForMinNanos, Ticker ticker) {
        this.min = min;
        this.max = max;
        this.quietForMinNanos = quietForMinNanos;
        this.ticker = ticker;
        this.lastArrival = ticker.read();
    }

    /** A request took (or wanted) a container now. */
    synchronized void arrived() {
        long now = ticker.read();
        if (arrived) {
            // A lull longer than this already means the minimum: counted in full it would hold the target down for
            // dozens of requests of the next stream.
            double cap = Double.isNaN(startNanos) ? Double.MAX_VALUE : MARGIN * startNanos;
            gapNanos = smooth(gapNanos, Math.min(now - lastArrival, cap));
        }
        lastArrival = now;
        arrived = true;
    }

    /** A container took this long to start and get ready. */
    synchronized void started(long nanos) {
        startNanos = smooth(startNanos, nanos);
    }

    /**
     * Containers to keep waiting now: the minimum until a gap between requests and a start have been seen, else one
     * per start time that passes between requests; a quiet spell since the last request counts as a longer gap.
     */
    synchronized int target() {
        if (Double.isNaN(gapNanos) || Double.isNaN(startNanos)) {
            return min;
        }
        long quiet = ticker.read() - lastArrival;
        double gap = Math.max(gapNanos, quiet);
        double need = gap <= 0 ? max : Math.ceil(MARGIN * startNanos / gap);
        if (need <= 1 && quiet >= quietForMinNanos) {
            return min; // with a minimum of 0, a release nobody asks for any more keeps no sandbox
        }
        return (int) Math.max(min, Math.min(max, need));
    }

    /** Nanoseconds since the last request, or since this started if none came yet. */
    synchronized long quietNanos() {
        return ticker.read() - lastArrival;
    }

    private static double smooth(double old, double sample) {
        return Double.isNaN(old) ? sample : WEIGHT * sample + (1 - WEIGHT) * old;
    }
}
