package dev.compilerd.lifecycle;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retires this VM: drives SERVING → LAMEDUCK → DRAINING → HALTED: on lifetime expiry (once the fleet gives it a
 * turn, or it has waited the longest for one) or SIGTERM (at once), fails health checks for the lameduck period,
 * drains, then halts the VM (lifetime) or just ends (SIGTERM). Thread-safe and idempotent.
 */
public final class Retirement {
    private static final Logger LOG = LoggerFactory.getLogger(Retirement.class);
    /** How often a server whose lifetime has ended asks the fleet for a turn again. */
    static final Duration TURN_RETRY = Duration.ofSeconds(2);

    /** Why the process is going away: a lifetime expiry halts the VM, a SIGTERM does not. */
    public enum Reason { LIFETIME, SIGTERM }

    /** The side effects of each phase, supplied by Main. */
    public interface Steps {
        /** Health checks now fail; close idle keep-alive connections. */
        void lameduck();

        /** Stop accepting, finish accepted work, remove every container. */
        void drain();

        /** Halt the VM. */
        void halt();
    }

    private final Lifecycle lifecycle;
    private final Scheduler scheduler;
    private final Duration lameduck;
    private final boolean haltEnabled;
    private final Steps steps;
    private final RetirementTurns turns;
    private final Duration turnWait;
    private final CountDownLatch halted = new CountDownLatch(1);
    private volatile Reason reason;

    /** One server alone: its lifetime's end needs no turn. */
    public Retirement(Lifecycle lifecycle, Scheduler scheduler, Duration lameduck, boolean haltEnabled, Steps steps) {
        this(lifecycle, scheduler, lameduck, haltEnabled, steps, RetirementTurns.ALWAYS, Duration.ZERO);
    }

    /**
     * @param turns    the fleet's turns to retire
     * @param turnWait how long past its lifetime a server waits for a turn before it retires anyway
     */
    public Retirement(Lifecycle lifecycle, Scheduler scheduler, Duration lameduck, boolean haltEnabled, Steps steps,
                      RetirementTurns turns, Duration turnWait) {
        this.lifecycle = lifecycle;
        this.scheduler = scheduler;
        this.lameduck = lameduck;
        this.haltEnabled = haltEnabled;
        this.steps = steps;
        this.turns = turns;
        this.turnWait = turnWait;
    }

    /** Schedules lameduck at the end of the lifetime, once the fleet gives a turn; call once SERVING. */
    public void startLifetime(Duration lifetime) {
        scheduler.schedule(lifetime, () -> expire(Duration.ZERO));
    }

    /** The lifetime is over: retire if it is our turn or we have waited the longest, else ask again shortly. */
    private void expire(Duration waited) {
        if (lifecycle.state() != State.SERVING) {
            return; // a SIGTERM came first
        }
        boolean turn = turns.take();
        if (turn || waited.compareTo(turnWait) >= 0) {
            if (!waited.isZero()) {
                LOG.info("{} after waiting {} ms for a turn", turn ? "retiring" : "retiring without a turn",
                        waited.toMillis());
            }
            begin(Reason.LIFETIME);
            return;
        }
        if (waited.isZero()) {
            LOG.info("lifetime over, but other servers of the fleet are retiring: waiting for a turn (at most {} ms)",
                    turnWait.toMillis());
        }
        scheduler.schedule(TURN_RETRY, () -> expire(waited.plus(TURN_RETRY)));
    }

    /** Enters lameduck now; a second trigger (a second SIGTERM, an expiry during drain) changes nothing. */
    public void begin(Reason why) {
        if (!lifecycle.advance(State.LAMEDUCK)) {
            LOG.info("{} ignored: already {}", why, lifecycle.state());
            return;
        }
        reason = why;
        LOG.info("lameduck for {} ms because of {}", lameduck.toMillis(), why);
        steps.lameduck();
        scheduler.schedule(lameduck, this::finish);
    }

    private void finish() {
        try {
            lifecycle.advance(State.DRAINING);
            steps.drain();
        } catch (RuntimeException e) {
            LOG.error("drain failed: {}", e.toString());
        } finally {
            try {
                lifecycle.advance(State.HALTED);
                if (reason == Reason.LIFETIME && haltEnabled) {
                    steps.halt();
                } else {
                    LOG.info("not halting the VM ({}{})", reason, haltEnabled ? "" : ", --halt=false");
                }
            } catch (RuntimeException e) {
                LOG.error("halt failed: {}", e.toString());
            } finally {
                halted.countDown();
            }
        }
    }

    public Reason reason() {
        return reason;
    }

    /** Blocks until HALTED; Main exits 0 afterwards. */
    public void awaitHalted() throws InterruptedException {
        halted.await();
    }
}
