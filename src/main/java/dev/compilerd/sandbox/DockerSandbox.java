package dev.compilerd.sandbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.base.Ticker;
import com.google.common.util.concurrent.ThreadFactoryBuilder;
import dev.compilerd.config.PoolSettings;
import dev.compilerd.config.SandboxLimits;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs programs of one Go release in gVisor containers of its image through the docker CLI, from its own warm pool.
 * The hard deadline (build + run + margin, counted from handing the program over) always ends in docker rm -f, and
 * every container is removed on every path. Thread-safe.
 */
public final class DockerSandbox implements Sandbox, AutoCloseable {
    /** How long docker run's CLI may take to exit after the container was removed. */
    public static final Duration EXIT_AFTER_REMOVE = Duration.ofSeconds(10);
    /** Module fetches of this release's runs answered at once (the go command asks for a few at a time). */
    static final int FETCH_THREADS = 8;
    private static final Logger LOG = LoggerFactory.getLogger(DockerSandbox.class);

    private final Containers containers;
    private final ContainerSource source;
    private final RunnerProtocol protocol;
    private final SandboxLimits limits;
    private final SandboxImage image;
    private final SandboxInfo info;
    private final Consumer<Duration> containerWait;
    private final ModuleRelay modules;
    private final ExecutorService fetches;
    private final ObjectMapper json;
    private final ScheduledExecutorService deadlines = Executors.newSingleThreadScheduledExecutor(
            new ThreadFactoryBuilder().setNameFormat("hard-deadline").setDaemon(true).build());
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * Starts the warm pool unless its maximum is zero.
     *
     * @param containers    every container of this server, shared by its releases (so none is an orphan to another)
     * @param containerWait told how long each run waited for a ready container
     */
    public DockerSandbox(Containers containers, RunnerProtocol protocol, SandboxLimits limits, SandboxImage image,
                         SandboxInfo info, PoolSettings pool, Consumer<Duration> containerWait) {
        this(containers, protocol, limits, image, info, pool, containerWait, null, new ObjectMapper());
    }

    /**
     * @param modules where the go command gets modules the image lacks (the module relay), or null: the baked ones
     *                only
     */
    public DockerSandbox(Containers containers, RunnerProtocol protocol, SandboxLimits limits, SandboxImage image,
                         SandboxInfo info, PoolSettings pool, Consumer<Duration> containerWait, ModuleRelay modules,
                         ObjectMapper json) {
        this.modules = modules;
        this.json = json;
        this.fetches = modules == null ? null : Executors.newFixedThreadPool(FETCH_THREADS,
                new ThreadFactoryBuilder().setNameFormat("module-fetch-%d").setDaemon(true).build());
        this.info = info;
        this.containerWait = containerWait;
        this.containers = containers;
        this.protocol = protocol;
        this.limits = limits;
        this.image = image;
        this.source = pool.max() > 0
                ? new WarmPool(containers, image.id(), pool, limits.hardDeadline(), Ticker.systemTicker())
                : new FreshContainers(containers, image.id(), limits.hardDeadline());
    }

    @Override
    public RunResult run(Program program) throws SandboxException, InterruptedException {
        long waitStart = System.nanoTime();
        Container c = source.acquire();
        containerWait.accept(Duration.ofNanos(System.nanoTime() - waitStart));
        long start = System.nanoTime();
        boolean exited = false;
        AtomicBoolean deadlineHit = new AtomicBoolean();
        // The hard deadline runs from hand-over and also covers sending: a stuck pipe cannot hold a worker.
        ScheduledFuture<?> deadline = deadlines.schedule(() -> {
            deadlineHit.set(true);
            containers.removeNow(c.name);
            c.killCli();
        }, limits.hardDeadline().toMillis(), TimeUnit.MILLISECONDS);
        RelayFetches relay = null;
        try {
            try {
                if (modules != null && program.format() == Program.Format.NONE) {
                    relay = new RelayFetches(c, modules.session(), fetches, json);
                    c.sendRelaying(protocol.header(program, modules.sumdb()), relay);
                } else {
                    c.send(protocol.header(program));
                }
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
            RunResult result = judge(c, elapsed);
            return relay != null && relay.upstreamFailed() ? result.withModuleFailure() : result;
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

    /** The warm pool (or the fresh-container source when it is off), for its gauges. */
    public PoolView pool() {
        return source;
    }

    @Override
    public String imageId() {
        return image.identity();
    }

    @Override
    public SandboxInfo info() {
        return info;
    }

    @Override
    public String failure() {
        return containers.lastStartFailure();
    }

    /** Empties the pool; the shared {@link Containers} removes whatever is still ours when it closes. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        source.close();
        deadlines.shutdownNow();
        if (fetches != null) {
            fetches.shutdownNow();
        }
    }
}
