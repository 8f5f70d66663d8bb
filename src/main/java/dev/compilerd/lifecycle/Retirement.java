package dev.compilerd.lifecycle;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retires this VM: drives SERVING → LAMEDUCK → DRAINING → HALTED: on lifetime expiry or SIGTERM, fails health checks for the
 * lameduck period, drains, then halts the VM (lifetime) or just ends (SIGTERM). Thread-safe and idempotent.
 */
public final class Retirement {
    private static final Logger LOG = LoggerFactory.getLogger(Retirement.class);

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
    private final CountDownLatch halted = new CountDownLatch(1);
    private volatile Reason reason;

    public Retirement(Lifecycle lifecycle, Scheduler scheduler, Duration lameduck, boolean haltEnabled, Steps steps) {
        this.lifecycle = lifecycle;
        this.scheduler = scheduler;
        this.lameduck = lameduck;
        this.haltEnabled = haltEnabled;
        this.steps = steps;
    }

    /** Schedules lameduck at the end of the lifetime; call once SERVING. */
    public void startLifetime(Duration lifetime) {
        scheduler.schedule(lifetime, () -> begin(Reason.LIFETIME));
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
