package dev.compilerd;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.base.Ticker;
import com.google.common.util.concurrent.ThreadFactoryBuilder;
import dev.compilerd.compile.Admission;
import dev.compilerd.compile.CompileService;
import dev.compilerd.compile.Releases;
import dev.compilerd.compile.ResponseMapper;
import dev.compilerd.compile.ResultCache;
import dev.compilerd.compile.SharedCache;
import dev.compilerd.compile.SharedTier;
import dev.compilerd.config.Config;
import dev.compilerd.config.ConfigException;
import dev.compilerd.config.ConfigParser;
import dev.compilerd.config.LifecycleSettings;
import dev.compilerd.config.ReleaseImage;
import dev.compilerd.config.Values;
import dev.compilerd.http.HttpServer;
import dev.compilerd.http.HandlerTree;
import dev.compilerd.lifecycle.Lifecycle;
import dev.compilerd.lifecycle.Lifetime;
import dev.compilerd.lifecycle.Retirement;
import dev.compilerd.lifecycle.RetirementTurns;
import dev.compilerd.lifecycle.State;
import dev.compilerd.metrics.Metrics;
import dev.compilerd.modules.Budget;
import dev.compilerd.modules.ModuleProxy;
import dev.compilerd.modules.Reply;
import dev.compilerd.sandbox.Containers;
import dev.compilerd.sandbox.DockerCommand;
import dev.compilerd.sandbox.DockerSandbox;
import dev.compilerd.sandbox.Exec;
import dev.compilerd.sandbox.Instance;
import dev.compilerd.sandbox.ModuleRelay;
import dev.compilerd.sandbox.Preflight;
import dev.compilerd.sandbox.RunnerProtocol;
import dev.compilerd.sandbox.Sandbox;
import dev.compilerd.sandbox.SandboxException;
import dev.compilerd.sandbox.SandboxImage;
import dev.compilerd.sandbox.SandboxInfo;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import ch.qos.logback.classic.LoggerContext;
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
    private final Admission admission;
    private final CompileService service;
    private final SharedTier shared;
    private final HttpServer http;

    /** Builds the whole handler tree around one sandbox per Go release, the default first; handler tests pass fakes. */
    public Main(Config config, List<? extends Sandbox> sandboxes, Clock clock, Metrics metrics) {
        this.config = config;
        ObjectMapper json = new ObjectMapper();
        this.lifecycle = new Lifecycle(clock);
        ResultCache cache = new ResultCache(config.cache().entries(), config.cache().bytes());
        Ticker ticker = Ticker.systemTicker();
        this.admission = new Admission(config.admission().workers(), config.admission().queue(),
                config.admission().maxQueueWait(), ticker);
        this.shared = config.cache().shared().isPresent()
                ? new SharedCache(config.cache(), ticker, metrics.registry()) : SharedTier.NONE;
        Duration longestRun = config.admission().maxQueueWait().plus(config.limits().hardDeadline()).plus(DockerSandbox.EXIT_AFTER_REMOVE);
        this.service = new CompileService(new Releases(sandboxes), cache, shared, admission, config.admission().queue(),
                longestRun, new ResponseMapper(config.limits().maxOutputBytes(), config.limits().memoryBytes(),
                        config.modules().enabled()), json, ticker, metrics.registry());
        metrics.bindCache(cache);
        metrics.bindAdmission(admission);
        metrics.bindService(service);
        metrics.bindLifecycle(lifecycle);
        HandlerTree handlers = new HandlerTree(config.http(), service, json, metrics.registry(), metrics::scrape,
                lifecycle::healthy, lifecycle::closingConnections, () -> sandboxes.stream().map(Sandbox::failure)
                        .filter(Objects::nonNull).findFirst().orElse(null));
        this.http = new HttpServer(config.http().bind(), config.http().port(), handlers.router(),
                config.admission().workers(), config.admission().queue(), config.lifecycle().drainTimeout());
        if (shared instanceof SharedCache c) {
            http.stopWith(c);
        }
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

    /**
     * Drains: queued requests that could not finish within the drain get a 503 now (while their frontend can still
     * retry elsewhere), new requests get 503 + Retry-After, accepted work finishes, then Jetty stops (and with it
     * the sandbox and the shared cache client).
     */
    public void drain() throws Exception {
        admission.drain(config.lifecycle().drainTimeout(), config.limits().hardDeadline());
        http.drainAndStop();
    }

    public static void main(String[] args) throws Exception {
        ConfigParser.Parsed parsed;
        try {
            parsed = new ConfigParser(System.getenv()).read(args);
        } catch (ConfigException e) {
            System.err.println("compilerd: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (parsed instanceof ConfigParser.Print p) {
            System.out.print(p.text());
            return;
        }
        int code = run(((ConfigParser.Run) parsed).config());
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext logging) {
            logging.stop(); // writes what the asynchronous appenders still hold
        }
        System.exit(code);
    }

    /** Runs until halted; returns the exit code. Refuses to start (exit 1) when any release's sandbox is not there. */
    static int run(Config config) throws Exception {
        ObjectMapper json = new ObjectMapper();
        DockerCommand docker = DockerCommand.from(config, Instance.current());
        RunnerProtocol protocol = new RunnerProtocol(json, config.limits());
        Containers containers = new Containers(docker, protocol.maxResultBytes(), Instance::alive);
        Metrics metrics = new Metrics();
        ModuleProxy modules = config.modules().enabled() ? new ModuleProxy(config.modules(),
                ModuleProxy.upstreamClient(config.modules()), Ticker.systemTicker(), metrics.registry()) : null;
        ModuleRelay relay = modules == null ? null : relay(modules, config.modules().sumdb());
        List<DockerSandbox> sandboxes = new ArrayList<>();
        try {
            Preflight preflight = new Preflight(docker, json);
            preflight.check(PREFLIGHT_TIMEOUT);
            LOG.info("removed {} orphaned container(s) left by servers that are gone", containers.reapOrphans());
            for (ReleaseImage release : config.sandbox().releases()) {
                sandboxes.add(sandbox(release, preflight, containers, protocol, config, metrics, relay, json));
            }
        } catch (SandboxException e) {
            LOG.error("refusing to start: {}", e.getMessage());
            sandboxes.forEach(DockerSandbox::close);
            containers.close();
            if (modules != null) {
                modules.close();
            }
            return 1;
        }
        metrics.bindContainers(containers);
        Main main = new Main(config, sandboxes, Clock.systemUTC(), metrics);
        if (modules != null) {
            main.http.stopWith(modules);
        }
        main.http.stopWith(containers); // after the pools: every container goes once the last request is answered
        sandboxes.forEach(main.http::stopWith);
        Retirement retirement = retirement(config, main);
        try {
            main.start();
        } catch (Exception e) {
            LOG.error("refusing to start: {}", e.getMessage());
            sandboxes.forEach(DockerSandbox::close);
            containers.close();
            return 1;
        }
        Signals.onTerm(() -> retirement.begin(Retirement.Reason.SIGTERM));
        // The reaper has its own thread: a hung docker ps must not delay lameduck or the drain.
        long reap = config.sandbox().reapInterval().toMillis();
        timer("reaper").scheduleWithFixedDelay(() -> reap(containers), reap, reap, TimeUnit.MILLISECONDS);
        LOG.info("serving on {}:{}: Go {}, runtime {}, {} worker(s), queue {}, pool {}-{} per release",
                config.http().bind(), main.port(), main.service.releases().describe(), config.sandbox().runtime(),
                config.admission().workers(), config.admission().queue(), config.sandbox().pool().min(),
                config.sandbox().pool().max());
        if (config.lifecycle().lifetimeEnabled()) {
            Duration lifetime = Lifetime.pick(config.lifecycle().lifetimeMin(), config.lifecycle().lifetimeMax(),
                    ThreadLocalRandom.current());
            retirement.startLifetime(lifetime);
            LOG.info("lifetime {}: lameduck begins at {}", Values.format(lifetime), Instant.now().plus(lifetime));
        } else {
            LOG.info("lifetime disabled (--lifetime-max 0)");
        }
        retirement.awaitHalted();
        LOG.info("halted ({}); exiting", retirement.reason());
        return 0;
    }

    /**
     * Checks one release's image (present, its runner answering, the Go release it was named for) and starts its
     * sandbox with its own warm pool.
     */
    private static DockerSandbox sandbox(ReleaseImage release, Preflight preflight, Containers containers,
                                         RunnerProtocol protocol, Config config, Metrics metrics, ModuleRelay relay,
                                         ObjectMapper json)
            throws SandboxException, InterruptedException {
        SandboxImage image = preflight.image(release.image(), PREFLIGHT_TIMEOUT);
        SandboxInfo info = preflight.info(containers, image, protocol, config.limits().hardDeadline());
        if (!release.name().isEmpty() && !release.name().equals(info.release())) {
            throw new SandboxException("image " + release.image() + " runs " + info.goVersion() + ", not "
                    + release.name() + " as configured");
        }
        LOG.info("Go {}: image {} ({}), {} module(s)", info.goVersion(), release.image(), image.identity(),
                info.modules().size());
        DockerSandbox sandbox = new DockerSandbox(containers, protocol, config.limits(), image, info,
                config.sandbox().pool().forRelease(release.equals(config.sandbox().releases().get(0))),
                metrics.containerWait(info.release()), relay, json);
        metrics.bindPool(info.release(), sandbox.pool());
        return sandbox;
    }

    /** The module proxy as the sandboxes see it: one budget per program's session. */
    private static ModuleRelay relay(ModuleProxy proxy, String sumdb) {
        return new ModuleRelay() {
            @Override
            public String sumdb() {
                return sumdb;
            }

            @Override
            public Session session() {
                Budget budget = proxy.budget();
                return path -> {
                    Reply r = proxy.get(path, budget);
                    return new Answer(r.status(), r.contentType(), r.body(), r.upstreamFailure());
                };
            }
        };
    }

    /**
     * The fleet's turns to retire: marks in the shared tier, {@code --retire-at-once} of them, each lasting one
     * {@code --retire-turn}; a store that cannot answer gives a turn.
     */
    private static RetirementTurns turns(LifecycleSettings life, SharedTier shared) {
        return () -> IntStream.range(0, life.retireAtOnce())
                .anyMatch(i -> shared.claim("retiring/" + i, life.retireTurn()).mine());
    }

    /** Lameduck closes idle connections, the drain stops Jetty (and with it the sandbox), halt runs the command. */
    private static Retirement retirement(Config config, Main main) {
        ScheduledExecutorService timers = timer("lifecycle");
        return new Retirement(main.lifecycle, (d, task) -> timers.schedule(task, d.toMillis(), TimeUnit.MILLISECONDS),
                config.lifecycle().lameduck(), config.lifecycle().halt(), new Retirement.Steps() {
            @Override
            public void lameduck() {
                LOG.info("closed {} idle connection(s)", main.http.closeIdleConnections());
            }

            @Override
            public void drain() {
                long t0 = System.nanoTime();
                try {
                    main.drain();
                } catch (Exception e) {
                    LOG.warn("HTTP drain ended with {}", e.toString());
                }
                LOG.info("drained and removed every container in {} ms", (System.nanoTime() - t0) / 1_000_000);
            }

            @Override
            public void halt() {
                LOG.info("halting the VM: {}", String.join(" ", config.lifecycle().haltCommand()));
                try {
                    Exec.Outcome o = Exec.run(config.lifecycle().haltCommand(), HALT_TIMEOUT);
                    LOG.info("halt command exited {} {}", o.exitCode(), o.stderr().strip());
                } catch (SandboxException e) {
                    LOG.error("halt command failed: {}", e.getMessage());
                }
            }
        }, turns(config.lifecycle(), main.shared), config.lifecycle().retireTurnWait());
    }

    /** A single daemon thread for timed work, named for thread dumps. */
    private static ScheduledExecutorService timer(String name) {
        return Executors.newSingleThreadScheduledExecutor(
                new ThreadFactoryBuilder().setNameFormat(name).setDaemon(true).build());
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
