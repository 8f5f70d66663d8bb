package dev.compilerd.sandbox;

import com.google.common.base.Ticker;
import dev.compilerd.config.PoolSettings;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps containers started and waiting on the runner's ready line, so a request skips the container start: as many as
 * {@link PoolDemand} says the request rate needs, within the configured bounds. Each container runs exactly one
 * program; one idle too long is discarded and replaced, and one the rate no longer needs is removed after a quiet
 * spell. Thread-safe.
 */
final class WarmPool implements ContainerSource {
    /** How long the filler waits after a failed start before trying again. */
    static final Duration RETRY_DELAY = Duration.ofSeconds(1);
    private static final Logger LOG = LoggerFactory.getLogger(WarmPool.class);

    private final Containers containers;
    private final String imageId;
    private final Duration readyTimeout;
    private final Duration maxIdle;
    private final long surplusIdleNanos;
    private final PoolDemand demand;
    private final Ticker ticker;
    private final LinkedBlockingDeque<Container> ready = new LinkedBlockingDeque<>();
    private final Object wake = new Object();
    private final Thread filler;
    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong misses = new AtomicLong();
    private final AtomicLong discarded = new AtomicLong();
    private volatile boolean closed;

    WarmPool(Containers containers, String imageId, PoolSettings settings, Duration readyTimeout, Ticker ticker) {
        this.containers = containers;
        this.imageId = imageId;
        this.readyTimeout = readyTimeout;
        this.maxIdle = settings.maxIdle();
        this.surplusIdleNanos = settings.surplusIdle().toNanos();
        this.demand = new PoolDemand(settings.min(), settings.max(), surplusIdleNanos, ticker);
        this.ticker = ticker;
        this.filler = new Thread(this::fill, "warm-pool-filler");
        filler.setDaemon(true);
        filler.start();
    }

    @Override
    public Container acquire() throws SandboxException, InterruptedException {
        demand.arrived();
        Container c;
        while ((c = ready.pollFirst()) != null) {
            if (c.isReady() && c.age().compareTo(maxIdle) < 0) {
                hits.incrementAndGet();
                poke();
                return c;
            }
            discard(c);
        }
        misses.incrementAndGet();
        poke();
        return startTimed();
    }

    /** Containers the pool wants waiting now. */
    @Override
    public int target() {
        return demand.target();
    }

    @Override
    public int idle() {
        return ready.size();
    }

    @Override
    public long hits() {
        return hits.get();
    }

    @Override
    public long misses() {
        return misses.get();
    }

    @Override
    public long discarded() {
        return discarded.get();
    }

    private void fill() {
        while (!closed) {
            try {
                dropStale();
                int want = demand.target();
                if (ready.size() < want) {
                    startOne();
                } else if (ready.size() > want && demand.quietNanos() >= surplusIdleNanos) {
                    dropOne(); // it has idled as long as a new start would cost: no longer worth keeping
                } else {
                    synchronized (wake) {
                        wake.wait(1000);
                    }
                }
            } catch (InterruptedException e) {
                return;
            } catch (SandboxException e) {
                LOG.warn("warm pool could not start a container: {}", e.getMessage());
                try {
                    TimeUnit.MILLISECONDS.sleep(RETRY_DELAY.toMillis());
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private Container startTimed() throws SandboxException, InterruptedException {
        long t0 = ticker.read();
        Container c = containers.startReady(imageId, readyTimeout);
        demand.started(ticker.read() - t0);
        return c;
    }

    private void startOne() throws SandboxException, InterruptedException {
        Container c = startTimed();
        ready.addLast(c);
        if (closed && ready.remove(c)) {
            containers.removeAsync(c.name);
        }
    }

    private void dropStale() {
        for (Iterator<Container> it = ready.iterator(); it.hasNext(); ) {
            Container c = it.next();
            if ((!c.isReady() || c.age().compareTo(maxIdle) >= 0) && ready.remove(c)) {
                discard(c);
            }
        }
    }

    private void dropOne() {
        Container c = ready.pollFirst(); // the oldest: the first to reach maxIdle anyway
        if (c != null) {
            discard(c);
        }
    }

    private void discard(Container c) {
        discarded.incrementAndGet();
        containers.removeAsync(c.name);
    }

    private void poke() {
        synchronized (wake) {
            wake.notifyAll();
        }
    }

    /** Stops refilling and removes every waiting container. */
    @Override
    public void close() {
        closed = true;
        filler.interrupt();
        try {
            filler.join(Containers.DOCKER_COMMAND_TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Container c;
        while ((c = ready.pollFirst()) != null) {
            containers.removeAsync(c.name);
        }
    }
}
