package dev.compilerd;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.compilerd.compile.Admission;
import dev.compilerd.compile.CompileService;
import dev.compilerd.compile.ResponseMapper;
import dev.compilerd.compile.ResultCache;
import dev.compilerd.config.Config;
import dev.compilerd.config.ConfigException;
import dev.compilerd.config.ConfigParser;
import dev.compilerd.config.Values;
import dev.compilerd.http.CompileHandler;
import dev.compilerd.http.HttpServer;
import dev.compilerd.http.MetricsHandler;
import dev.compilerd.http.RequestParser;
import dev.compilerd.http.Router;
import dev.compilerd.lifecycle.Lifecycle;
import dev.compilerd.lifecycle.Lifetime;
import dev.compilerd.lifecycle.Recycler;
import dev.compilerd.lifecycle.State;
import dev.compilerd.metrics.Metrics;
import dev.compilerd.sandbox.Containers;
import dev.compilerd.sandbox.DockerCommand;
import dev.compilerd.sandbox.DockerSandbox;
import dev.compilerd.sandbox.Exec;
import dev.compilerd.sandbox.Preflight;
import dev.compilerd.sandbox.RunnerProtocol;
import dev.compilerd.sandbox.Sandbox;
import dev.compilerd.sandbox.SandboxException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Wires compilerd through constructors: config → sandbox → service → HTTP → lifecycle. */
public final class Main {
    /** How long one docker check at start may take. */
    static final Duration PREFLIGHT_TIMEOUT = Duration.ofSeconds(30);
    /** How long the halt command may take before we give up on it and exit anyway. */
    static final Duration HALT_TIMEOUT = Duration.ofSeconds(30);
    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    private final Config config;
    private final Lifecycle lifecycle;
    private final CompileService service;
    private final HttpServer http;

    /** Builds the whole handler tree around {@code sandbox}; handler tests pass a fake one. */
    public Main(Config config, Sandbox sandbox, Clock clock, Metrics metrics) {
        this.config = config;
        ObjectMapper json = new ObjectMapper();
        this.lifecycle = new Lifecycle(clock);
        ResultCache cache = new ResultCache(config.cacheEntries(), config.cacheBytes(), sandbox.imageId());
        Admission admission = new Admission(config.workers(), config.queue(), config.queueTimeout());
        this.service = new CompileService(sandbox, cache, admission,
                new ResponseMapper(config.limits().maxOutputBytes(), config.limits().memoryBytes()), json,
                metrics.registry());
        metrics.bindCache(cache);
        metrics.bindAdmission(admission);
        metrics.bindLifecycle(lifecycle);
        CompileHandler compile = new CompileHandler(service, new RequestParser(json), config.maxRequestBytes(),
                config.bodyTimeout(), config.allowOrigin());
        Router router = new Router(compile, lifecycle::healthy, sandbox::failure, lifecycle::closingConnections,
                new MetricsHandler(metrics::scrape), config.port());
        this.http = new HttpServer(config.bind(), config.port(), router, config.workers(), config.queue(),
                config.drainTimeout());
    }

    /** Starts Jetty and moves to SERVING. */
    public void start() throws Exception {
        http.start();
        lifecycle.advance(State.SERVING);
    }

    public int port() {
        return http.port();
    }

    public Lifecycle lifecycle() {
        return lifecycle;
    }

    public CompileService service() {
        return service;
    }

    public HttpServer http() {
        return http;
    }

    public static void main(String[] args) throws Exception {
        if (ConfigParser.wantsHelp(args)) {
            System.out.print(ConfigParser.help());
            return;
        }
        Config config;
        try {
            config = new ConfigParser(System.getenv()).parse(args);
        } catch (ConfigException e) {
            System.err.println("compilerd: " + e.getMessage());
            System.exit(2);
            return;
        }
        System.exit(run(config));
    }

    /** Runs until halted; returns the exit code. Refuses to start (exit 1) when the sandbox is not there. */
    static int run(Config config) throws Exception {
        ObjectMapper json = new ObjectMapper();
        DockerCommand tagged = DockerCommand.from(config);
        RunnerProtocol protocol = new RunnerProtocol(json, config.limits());
        Containers containers;
        String imageId;
        try {
            Preflight preflight = new Preflight(tagged, json);
            imageId = preflight.check(PREFLIGHT_TIMEOUT);
            // Run exactly the image that was checked and keys the cache, even if the tag is rebuilt meanwhile.
            containers = new Containers(tagged.pinnedTo(imageId), protocol.maxResultBytes());
            int reaped = containers.reapOrphans();
            LOG.info("removed {} orphaned container(s) left by an earlier run", reaped);
            preflight.smoke(containers, config.limits().hardDeadline());
        } catch (SandboxException e) {
            LOG.error("refusing to start: {}", e.getMessage());
            return 1;
        }
        Metrics metrics = new Metrics();
        DockerSandbox sandbox = new DockerSandbox(containers, protocol, config.limits(), imageId, config.pool(),
                config.poolMaxIdle(), metrics.registry());
        sandbox.bind(metrics);
        Main main = new Main(config, sandbox, Clock.systemUTC(), metrics);
        ScheduledExecutorService timers = scheduler("lifecycle");
        Recycler recycler = new Recycler(main.lifecycle, (d, task) -> timers.schedule(task, d.toMillis(),
                TimeUnit.MILLISECONDS), config.lameduck(), config.halt(), new Recycler.Steps() {
            @Override
            public void lameduck() {
                LOG.info("closed {} idle connection(s)", main.http.closeIdleConnections());
            }

            @Override
            public void drain() {
                long t0 = System.nanoTime();
                try {
                    main.http.drainAndStop();
                } catch (Exception e) {
                    LOG.warn("HTTP drain ended with {}", e.toString());
                }
                long t1 = System.nanoTime();
                sandbox.close();
                LOG.info("drained: HTTP in {} ms, containers removed in {} ms", (t1 - t0) / 1_000_000,
                        (System.nanoTime() - t1) / 1_000_000);
            }

            @Override
            public void halt() {
                LOG.info("halting the VM: {}", String.join(" ", config.haltCommand()));
                try {
                    Exec.Outcome o = Exec.run(config.haltCommand(), HALT_TIMEOUT);
                    LOG.info("halt command exited {} {}", o.exitCode(), o.stderr().strip());
                } catch (SandboxException e) {
                    LOG.error("halt command failed: {}", e.getMessage());
                }
            }
        });
        Runtime.getRuntime().addShutdownHook(new Thread(sandbox::close, "remove-containers"));
        try {
            main.start();
        } catch (Exception e) {
            LOG.error("refusing to start: {}", e.getMessage());
            sandbox.close();
            return 1;
        }
        Signals.onTerm(() -> recycler.begin(Recycler.Reason.SIGTERM));
        // The reaper has its own thread: a hung docker ps must not delay lameduck or the drain.
        scheduler("reaper").scheduleWithFixedDelay(() -> reap(containers), config.reapInterval().toMillis(),
                config.reapInterval().toMillis(), TimeUnit.MILLISECONDS);
        LOG.info("serving on {}:{} with image {} ({}), runtime {}, {} worker(s), queue {}, pool {}",
                config.bind(), main.port(), config.image(), imageId, config.runtime(), config.workers(), config.queue(),
                config.pool());
        if (config.lifetimeEnabled()) {
            Duration lifetime = Lifetime.pick(config.lifetimeMin(), config.lifetimeMax(), ThreadLocalRandom.current());
            recycler.startLifetime(lifetime);
            LOG.info("lifetime {}: lameduck begins at {}", Values.format(lifetime), Instant.now().plus(lifetime));
        } else {
            LOG.info("lifetime disabled (--lifetime-max 0)");
        }
        recycler.awaitHalted();
        LOG.info("halted ({}); exiting", recycler.reason());
        return 0;
    }

    /** A single daemon thread for timed work, named for thread dumps. */
    private static ScheduledExecutorService scheduler(String name) {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    private static void reap(Containers containers) {
        try {
            int n = containers.reapOrphans();
            if (n > 0) {
                LOG.warn("reaped {} orphaned container(s)", n);
            }
        } catch (SandboxException | RuntimeException e) {
            LOG.warn("reaper: {}", e.getMessage());
        }
    }
}
