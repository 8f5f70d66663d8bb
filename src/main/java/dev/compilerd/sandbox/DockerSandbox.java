package dev.compilerd.sandbox;

import dev.compilerd.config.SandboxLimits;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs programs in gVisor containers through the docker CLI. The hard deadline (build + run + margin,
 * counted from handing the program over) always ends in docker rm -f, and every container is removed
 * on every path. Thread-safe.
 */
public final class DockerSandbox implements Sandbox, AutoCloseable {
    /** How long docker run's CLI may take to exit after the container was removed. */
    static final Duration EXIT_AFTER_REMOVE = Duration.ofSeconds(10);

    private final Containers containers;
    private final ContainerSource source;
    private final RunnerProtocol protocol;
    private final SandboxLimits limits;
    private final String imageId;
    private final Timer poolWait;
    private final ScheduledExecutorService deadlines = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "hard-deadline");
        t.setDaemon(true);
        return t;
    });
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    /** Starts the warm pool when {@code poolSize} is above zero. */
    public DockerSandbox(Containers containers, RunnerProtocol protocol, SandboxLimits limits, String imageId,
                         int poolSize, Duration poolMaxIdle, MeterRegistry meters) {
        this.poolWait = Timer.builder("compilerd_container_wait").description("time to get a ready container")
                .publishPercentileHistogram().register(meters);
        this.containers = containers;
        this.protocol = protocol;
        this.limits = limits;
        this.imageId = imageId;
        this.source = poolSize > 0
                ? new WarmPool(containers, poolSize, limits.hardDeadline(), poolMaxIdle)
                : new FreshContainers(containers, limits.hardDeadline());
    }

    @Override
    public RunResult run(Program program) throws SandboxException, InterruptedException {
        long waitStart = System.nanoTime();
        Container c = source.acquire();
        poolWait.record(System.nanoTime() - waitStart, java.util.concurrent.TimeUnit.NANOSECONDS);
        long start = System.nanoTime();
        boolean exited = false;
        AtomicBoolean deadlineHit = new AtomicBoolean();
        // The hard deadline runs from hand-over and also covers sending: a stuck pipe cannot hold a worker.
        ScheduledFuture<?> deadline = deadlines.schedule(() -> {
            deadlineHit.set(true);
            containers.removeNow(c.name);
            c.killCli();
        }, limits.hardDeadline().toMillis(), TimeUnit.MILLISECONDS);
        try {
            try {
                c.send(protocol.header(program));
            } catch (SandboxException e) {
                if (!deadlineHit.get()) {
                    throw e;
                }
            }
            exited = c.awaitExit(limits.hardDeadline().plus(EXIT_AFTER_REMOVE));
            deadline.cancel(false);
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            if (!exited) {
                c.killCli(); // the container itself is removed below
            }
            if (deadlineHit.get() || !exited) {
                return RunResult.hardTimeout(c.name, elapsed);
            }
            byte[] result = c.result();
            if (result.length == 0) {
                if (c.exitCode() >= 128) {
                    return RunResult.killed(c.name, c.exitCode(), elapsed);
                }
                throw new SandboxException("sandbox runner ended without a result" + c.describeExit());
            }
            return protocol.parse(result, c.resultOverflowed(), c.name, elapsed);
        } finally {
            deadline.cancel(false);
            // After a deadline the container is already removed (or left to the reaper's retries).
            if (!deadlineHit.get()) {
                if (exited) {
                    containers.removeAsync(c.name);
                } else {
                    containers.removeNow(c.name);
                }
            }
        }
    }

    @Override
    public String imageId() {
        return imageId;
    }

    @Override
    public String failure() {
        return containers.lastStartFailure();
    }

    /** Publishes the pool's and the reaper's numbers. */
    public void bind(dev.compilerd.metrics.Metrics metrics) {
        metrics.gauge("compilerd_pool_idle", source, ContainerSource::idle, "warm containers waiting");
        metrics.counter("compilerd_pool_hits", source, ContainerSource::hits, "requests served by a warm container");
        metrics.counter("compilerd_pool_misses", source, ContainerSource::misses,
                "requests that had to start a container");
        metrics.counter("compilerd_pool_recycled", source, ContainerSource::recycled,
                "warm containers removed unused (idle too long or broken)");
        metrics.counter("compilerd_containers_reaped", containers, Containers::reapedTotal,
                "orphaned containers removed by the reaper");
        metrics.gauge("compilerd_containers_owned", containers, c -> c.owned().size(),
                "containers started and not yet removed");
    }

    /** Empties the pool and removes every container still ours. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        source.close();
        containers.close();
        deadlines.shutdownNow();
    }
}
