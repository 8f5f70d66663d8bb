package dev.compilerd.sandbox;

import com.google.common.base.Ticker;
import com.google.common.util.concurrent.ThreadFactoryBuilder;
import dev.compilerd.config.PoolSettings;
import dev.compilerd.config.SandboxLimits;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs programs in gVisor containers through the docker CLI. The hard deadline (build + run + margin,
 * counted from handing the program over) always ends in docker rm -f, and every container is removed
 * on every path. Thread-safe.
 */
public final class DockerSandbox implements Sandbox, AutoCloseable {
    /** How long docker run's CLI may take to exit after the container was removed. */
    public static final Duration EXIT_AFTER_REMOVE = Duration.ofSeconds(10);
    private static final Logger LOG = LoggerFactory.getLogger(DockerSandbox.class);

    private final Containers containers;
    private final ContainerSource source;
    private final RunnerProtocol protocol;
    private final SandboxLimits limits;
    private final String imageId;
    private final SandboxInfo info;
    private final Timer poolWait;
    private final ScheduledExecutorService deadlines = Executors.newSingleThreadScheduledExecutor(
            new ThreadFactoryBuilder().setNameFormat("hard-deadline").setDaemon(true).build());
    private final AtomicBoolean closed = new AtomicBoolean();

    /** Starts the warm pool unless its maximum is zero. */
    public DockerSandbox(Containers containers, RunnerProtocol protocol, SandboxLimits limits, String imageId,
                         SandboxInfo info, PoolSettings pool, MeterRegistry meters) {
        this.info = info;
        this.poolWait = Timer.builder("compilerd_container_wait").description("time to get a ready container")
                .publishPercentileHistogram().register(meters);
        this.containers = containers;
        this.protocol = protocol;
        this.limits = limits;
        this.imageId = imageId;
        this.source = pool.max() > 0
                ? new WarmPool(containers, pool, limits.hardDeadline(), Ticker.systemTicker())
                : new FreshContainers(containers, limits.hardDeadline());
    }

    @Override
    public RunResult run(Program program) throws SandboxException, InterruptedException {
        long waitStart = System.nanoTime();
        Container c = source.acquire();
        poolWait.record(System.nanoTime() - waitStart, TimeUnit.NANOSECONDS);
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
                    throw e; // the runner died before it had the program: nothing the program did
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
            return judge(c, elapsed);
        } finally {
            deadline.cancel(false);
            // After a deadline the container is already removed (or left to the reaper's retries). When docker run
            // exits by itself, --rm has removed the container before it returned: another rm -f would be a wasted
            // sudo + docker call on every run (the reaper would still catch a stray).
            if (!deadlineHit.get()) {
                if (exited) {
                    containers.gone(c.name);
                } else {
                    containers.removeNow(c.name);
                }
            }
        }
    }

    /**
     * Trusts a result only from a container that exited 0 with exactly one well-formed result line; anything else
     * the program may have caused is "killed" (a 200, never cached), unless Docker itself says it is down.
     */
    private RunResult judge(Container c, Duration elapsed) throws SandboxException {
        String why;
        if (c.exitCode() == 0) {
            try {
                return protocol.parse(c.result(), c.resultOverflowed(), c.name);
            } catch (RunnerProtocol.UntrustedResultException e) {
                why = e.getMessage();
            }
        } else if (Containers.daemonDown(c.stderr())) {
            throw new SandboxUnavailableException("the Docker daemon went away during a run" + c.describeExit());
        } else {
            why = "no trusted result";
        }
        LOG.warn("container {} killed: {}{}", c.name, why, c.describeExit());
        return RunResult.killed(c.name, c.exitCode(), elapsed);
    }

    /** Started containers waiting in the warm pool now. */
    public int warmContainers() {
        return source.idle();
    }

    @Override
    public String imageId() {
        return imageId;
    }

    @Override
    public SandboxInfo info() {
        return info;
    }

    @Override
    public String failure() {
        return containers.lastStartFailure();
    }

    /** Publishes the pool's and the reaper's numbers. */
    public void bind(dev.compilerd.metrics.Metrics metrics) {
        metrics.gauge("compilerd_pool_idle", source, ContainerSource::idle, "warm containers waiting");
        metrics.gauge("compilerd_pool_target", source, ContainerSource::target,
                "warm containers the request rate needs now");
        metrics.counter("compilerd_pool_hits", source, ContainerSource::hits, "requests served by a warm container");
        metrics.counter("compilerd_pool_misses", source, ContainerSource::misses,
                "requests that had to start a container");
        metrics.counter("compilerd_pool_discarded", source, ContainerSource::discarded,
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
