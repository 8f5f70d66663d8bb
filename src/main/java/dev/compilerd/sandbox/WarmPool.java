package dev.compilerd.sandbox;

import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps {@code size} containers started and waiting on the runner's ready line, so a request skips the
 * container start. Each container runs exactly one program; one idle too long is discarded and replaced. Thread-safe.
 */
final class WarmPool implements ContainerSource {
    /** How long the filler waits after a failed start before trying again. */
    static final Duration RETRY_DELAY = Duration.ofSeconds(1);
    private static final Logger LOG = LoggerFactory.getLogger(WarmPool.class);

    private final Containers containers;
    private final int size;
    private final Duration readyTimeout;
    private final Duration maxIdle;
    private final LinkedBlockingDeque<Container> ready = new LinkedBlockingDeque<>();
    private final Object wake = new Object();
    private final Thread filler;
    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong misses = new AtomicLong();
    private final AtomicLong discarded = new AtomicLong();
    private volatile boolean closed;

    WarmPool(Containers containers, int size, Duration readyTimeout, Duration maxIdle) {
        this.containers = containers;
        this.size = size;
        this.readyTimeout = readyTimeout;
        this.maxIdle = maxIdle;
        this.filler = new Thread(this::fill, "warm-pool-filler");
        filler.setDaemon(true);
        filler.start();
    }

    @Override
    public Container acquire() throws SandboxException, InterruptedException {
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
        return containers.startReady(readyTimeout);
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
                if (ready.size() < size) {
                    startOne();
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

    private void startOne() throws SandboxException, InterruptedException {
        Container c = containers.startReady(readyTimeout);
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
