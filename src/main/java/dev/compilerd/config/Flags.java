package dev.compilerd.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Every command-line flag with its default from {@link Defaults}, as picocli fills it in (flag, then COMPILERD_*
 * environment, then the default);
 * {@link #toConfig()} validates them together and groups them into {@link Config}. Used once, by one thread.
 */
@Command(name = "compilerd", mixinStandardHelpOptions = true, sortOptions = false, usageHelpWidth = 120,
        versionProvider = ConfigParser.Version.class,
        customSynopsis = "java -jar compilerd.jar [--flag value | --flag=value]... [--help] [--version]",
        description = "Compiles and runs Go programs in a gVisor sandbox for playground frontends.%n",
        footer = {"%nEvery flag also reads an environment variable: --max-output <- COMPILERD_MAX_OUTPUT; flags win.",
                "Durations: 500ms, 5s, 30m, 1h. Sizes: 65536, 64KiB, 512MiB."})
final class Flags {
    /** The runner refuses more output than this, so the server may not ask for more. */
    static final long MAX_IO_BYTES = Defaults.RUNNER_MAX_OUTPUT_BYTES;

    @Option(names = "--bind", description = "address to listen on (default ${DEFAULT-VALUE})")
    String bind = Defaults.BIND;
    @Option(names = "--port", description = "port to listen on; 0 picks a free one (default ${DEFAULT-VALUE})")
    int port = Defaults.PORT;
    @Option(names = "--max-request", converter = Size.class, description = "largest request body (default ${DEFAULT-VALUE})")
    long maxRequest = Defaults.MAX_REQUEST_BYTES;
    @Option(names = "--body-timeout", converter = Time.class,
            description = "the whole request body must arrive within this (default ${DEFAULT-VALUE})")
    Duration bodyTimeout = Defaults.BODY_TIMEOUT;
    @Option(names = "--allow-origin", description = "CORS Access-Control-Allow-Origin (default ${DEFAULT-VALUE})")
    String allowOrigin = Defaults.ALLOW_ORIGIN;

    @Option(names = {"--go", "--image"}, description = "the Go releases served and their sandbox images, the default"
            + " first (?v=goprev is the second): go1.27=IMAGE,go1.26=IMAGE; an entry without 'goX.Y=' is named by its"
            + " image's Go (default ${DEFAULT-VALUE}, the images vm/startup.sh builds)")
    String go = ReleaseImages.defaultSpec();
    @Option(names = "--images", description = "an images.lock (scripts/release-images.sh): one 'goX.Y REF@sha256:...'"
            + " line per release, the default first; replaces --go (default: none)")
    String images = "";
    @Option(names = "--runtime", description = "Docker runtime; anything but runsc is insecure (default ${DEFAULT-VALUE})")
    String runtime = Defaults.RUNTIME;
    @Option(names = "--docker", description = "the docker wrapper command, split on spaces (default ${DEFAULT-VALUE})")
    String docker = Defaults.DOCKER;
    @Option(names = "--container-prefix",
            description = "name prefix and owner label of our containers (default ${DEFAULT-VALUE})")
    String containerPrefix = Defaults.CONTAINER_PREFIX;
    @Option(names = "--pool", description = "the most warm containers kept started, as many as the request rate"
            + " needs; 0 = off (default ${DEFAULT-VALUE})")
    int pool = Defaults.POOL;
    @Option(names = "--pool-min", description = "the fewest warm containers while the pool is on; set it to --pool"
            + " for a fixed pool (default ${DEFAULT-VALUE})")
    int poolMin = Defaults.POOL_MIN;
    @Option(names = "--pool-min-other", description = "the fewest warm containers of each Go release but the default"
            + " (default ${DEFAULT-VALUE}: none while nobody asks for it)")
    int poolMinOther = Defaults.POOL_MIN_OTHER;
    @Option(names = "--pool-surplus-idle", converter = Time.class, description = "remove a warm container the request"
            + " rate no longer needs after no request for this long (default ${DEFAULT-VALUE})")
    Duration poolSurplusIdle = Defaults.POOL_SURPLUS_IDLE;
    @Option(names = "--pool-max-idle", converter = Time.class,
            description = "replace a warm container idle this long (default ${DEFAULT-VALUE})")
    Duration poolMaxIdle = Defaults.POOL_MAX_IDLE;
    @Option(names = "--reap-interval", converter = Time.class,
            description = "how often orphaned containers are removed (default ${DEFAULT-VALUE})")
    Duration reapInterval = Defaults.REAP_INTERVAL;

    @Option(names = "--build-timeout", converter = Time.class, description = "soft deadline for vet + build (default ${DEFAULT-VALUE})")
    Duration buildTimeout = Defaults.BUILD_TIMEOUT;
    @Option(names = "--run-timeout", converter = Time.class,
            description = "soft deadline for running the program (default ${DEFAULT-VALUE})")
    Duration runTimeout = Defaults.RUN_TIMEOUT;
    @Option(names = "--bench-share", description = "the share of --run-timeout a request's benchmarks divide among"
            + " themselves; each of N gets -test.benchtime = min(1s, share x run timeout / N) (default ${DEFAULT-VALUE})")
    double benchShare = Defaults.BENCH_SHARE;
    @Option(names = "--deadline-margin", converter = Time.class,
            description = "hard deadline = build + run + this, then docker rm -f (default ${DEFAULT-VALUE})")
    Duration deadlineMargin = Defaults.DEADLINE_MARGIN;
    @Option(names = "--max-output", converter = Size.class,
            description = "largest program output, stdout+stderr (default ${DEFAULT-VALUE})")
    long maxOutput = Defaults.MAX_OUTPUT_BYTES;
    @Option(names = "--memory", converter = Size.class, description = "container memory and memory+swap (default ${DEFAULT-VALUE})")
    long memory = Defaults.MEMORY_BYTES;
    @Option(names = "--pids", description = "host pids of the whole sandbox, a backstop above --nproc (default ${DEFAULT-VALUE})")
    int pids = Defaults.PIDS;
    @Option(names = "--nproc", description = "the program's processes + threads, RLIMIT_NPROC (default ${DEFAULT-VALUE})")
    int nproc = Defaults.NPROC;
    @Option(names = "--cpus", description = "container CPUs (default ${DEFAULT-VALUE})")
    double cpus = Defaults.CPUS;
    @Option(names = "--tmpfs", converter = Size.class, description = "size of the container's /tmp (default ${DEFAULT-VALUE})")
    long tmpfs = Defaults.TMPFS_BYTES;
    @Option(names = "--nofile", description = "open files per sandboxed process (default ${DEFAULT-VALUE})")
    int nofile = Defaults.NOFILE;
    @Option(names = "--address-space", converter = Size.class,
            description = "the program's virtual memory, RLIMIT_AS (default ${DEFAULT-VALUE})")
    long addressSpace = Defaults.ADDRESS_SPACE_BYTES;

    @Option(names = "--workers", description = "concurrent runs; 0 = number of CPUs (default ${DEFAULT-VALUE})")
    int workers = 0;
    @Option(names = "--queue", description = "requests waiting for a worker before 503 (default ${DEFAULT-VALUE})")
    int queue = Defaults.QUEUE;
    @Option(names = {"--max-queue-wait", "--queue-timeout"}, converter = Time.class,
            description = "longest wait for a worker; a request that cannot start within it gets 503 at once"
                    + " (default ${DEFAULT-VALUE})")
    Duration maxQueueWait = Defaults.MAX_QUEUE_WAIT;

    @Option(names = "--cache-entries", description = "most cached responses (default ${DEFAULT-VALUE})")
    long cacheEntries = Defaults.CACHE_ENTRIES;
    @Option(names = "--cache-bytes", converter = Size.class, description = "most bytes of cached responses (default ${DEFAULT-VALUE})")
    long cacheBytes = Defaults.CACHE_BYTES;
    @Option(names = "--shared-cache",
            description = "shared cache tier, redis://HOST:PORT or rediss:// (TLS); empty = off (default \"${DEFAULT-VALUE}\")")
    String sharedCache = "";
    @Option(names = "--shared-cache-ttl", converter = Time.class,
            description = "how long results live in the shared tier (default ${DEFAULT-VALUE})")
    Duration sharedCacheTtl = Defaults.SHARED_CACHE_TTL;
    @Option(names = "--shared-cache-timeout", converter = Time.class,
            description = "a shared-tier lookup slower than this is a miss (default ${DEFAULT-VALUE})")
    Duration sharedCacheTimeout = Defaults.SHARED_CACHE_TIMEOUT;
    @Option(names = "--shared-cache-max-value", converter = Size.class,
            description = "largest response kept in the shared tier (default ${DEFAULT-VALUE})")
    long sharedCacheMaxValue = Defaults.SHARED_CACHE_MAX_VALUE_BYTES;

    @Option(names = "--lifetime-min", converter = Time.class, description = "shortest lifetime before lameduck (default ${DEFAULT-VALUE})")
    Duration lifetimeMin = Defaults.LIFETIME_MIN;
    @Option(names = "--lifetime-max", converter = Time.class,
            description = "longest lifetime before lameduck; 0 = forever (default ${DEFAULT-VALUE})")
    Duration lifetimeMax = Defaults.LIFETIME_MAX;
    @Option(names = "--retire-at-once", description = "servers sharing the shared tier that may retire at the same "
            + "time; without --shared-cache each retires on its own (default ${DEFAULT-VALUE})")
    long retireAtOnce = Defaults.RETIRE_AT_ONCE;
    @Option(names = "--retire-turn", converter = Time.class, description = "how long a server's turn to retire lasts: "
            + "lameduck, drain and its replacement's boot (default ${DEFAULT-VALUE})")
    Duration retireTurn = Defaults.RETIRE_TURN;
    @Option(names = "--retire-turn-wait", converter = Time.class, description = "longest wait for a turn past the "
            + "lifetime, then it retires anyway (default ${DEFAULT-VALUE})")
    Duration retireTurnWait = Defaults.RETIRE_TURN_WAIT;
    @Option(names = "--lameduck", converter = Time.class, description = "how long /healthz fails before draining (default ${DEFAULT-VALUE})")
    Duration lameduck = Defaults.LAMEDUCK;
    @Option(names = "--drain-timeout", converter = Time.class,
            description = "how long draining waits for accepted work (default ${DEFAULT-VALUE})")
    Duration drainTimeout = Defaults.DRAIN_TIMEOUT;
    @Option(names = "--halt", arity = "0..1", fallbackValue = "true",
            description = "run the halt command when the lifetime ends (default ${DEFAULT-VALUE})")
    boolean halt = true;
    @Option(names = "--halt-command", description = "command that halts the VM, split on spaces (default ${DEFAULT-VALUE})")
    String haltCommand = Defaults.HALT_COMMAND;

    @Mixin
    ModuleFlags modules = new ModuleFlags();

    /** Checks the values together and groups them; the message names the flag and the bound. */
    Config toConfig() throws ConfigException {
        Checks c = new Checks();
        c.range("port", port, 0, 65535);
        c.nonEmpty("bind", bind);
        c.nonEmpty("allow-origin", allowOrigin);
        c.nonEmpty("runtime", runtime);
        c.nonEmpty("docker", docker);
        c.nonEmpty("halt-command", haltCommand);
        c.that(containerPrefix.matches("[a-z0-9][a-z0-9_.-]{0,40}"),
                "--container-prefix must be lower-case letters, digits, '.', '_' or '-' (at most 41)");
        c.range("max-request", maxRequest, 1024, MAX_IO_BYTES);
        c.range("max-output", maxOutput, 1024, MAX_IO_BYTES);
        c.positive("body-timeout", bodyTimeout);
        c.positive("build-timeout", buildTimeout);
        c.positive("run-timeout", runTimeout);
        Duration runnerMax = Defaults.RUNNER_MAX_TIMEOUT;
        c.that(buildTimeout.compareTo(runnerMax) <= 0 && runTimeout.compareTo(runnerMax) <= 0,
                "--build-timeout and --run-timeout must be at most " + Values.format(runnerMax) + " (the runner's own cap)");
        c.positive("deadline-margin", deadlineMargin);
        c.that(benchShare > 0 && benchShare <= Defaults.MAX_BENCH_SHARE, "--bench-share must be above 0 and at most "
                + Defaults.MAX_BENCH_SHARE + " (Go may run a benchmark for twice its benchtime), not " + benchShare);
        c.positive("pool-max-idle", poolMaxIdle);
        c.positive("pool-surplus-idle", poolSurplusIdle);
        c.positive("reap-interval", reapInterval);
        c.positive("max-queue-wait", maxQueueWait);
        c.positive("shared-cache-ttl", sharedCacheTtl);
        c.positive("shared-cache-timeout", sharedCacheTimeout);
        // The bounds of vm/compilerd-docker, which refuses anything outside them.
        c.range("memory", memory, 64L << 20, 8L << 30);
        c.range("pids", pids, 64, 16384);
        c.range("nproc", nproc, 16, 8192);
        c.range("tmpfs", tmpfs, 1L << 20, 2L << 30);
        c.range("nofile", nofile, 64, 65536);
        c.range("address-space", addressSpace, 256L << 20, 64L << 30);
        c.that(cpus > 0 && cpus <= 16, "--cpus must be above 0 and at most 16, not " + cpus);
        c.that(pids >= nproc + Defaults.PIDS_HEADROOM, "--pids (" + pids + ") must exceed --nproc (" + nproc + ") by at"
                + " least " + Defaults.PIDS_HEADROOM + ": gVisor and the runner need host pids of their own");
        c.range("workers", workers, 0, 1024);
        c.range("queue", queue, 0, 100_000);
        c.range("pool", pool, 0, 64);
        c.range("pool-min", poolMin, 1, 64);
        c.that(pool == 0 || poolMin <= pool, "--pool-min (" + poolMin + ") must not exceed --pool (" + pool + ")");
        c.range("pool-min-other", poolMinOther, 0, 64);
        c.that(pool == 0 || poolMinOther <= pool, "--pool-min-other (" + poolMinOther + ") must not exceed --pool ("
                + pool + ")");
        c.range("cache-entries", cacheEntries, 0, Integer.MAX_VALUE);
        c.range("cache-bytes", cacheBytes, 0, Long.MAX_VALUE);
        c.range("shared-cache-max-value", sharedCacheMaxValue, 1024, 64L << 20);
        Optional<URI> shared = sharedCache(c);
        SandboxLimits limits = new SandboxLimits(buildTimeout, runTimeout, deadlineMargin, memory, pids, nproc, cpus,
                tmpfs, nofile, addressSpace, (int) maxOutput, benchShare);
        c.range("retire-at-once", retireAtOnce, 1, 1000);
        c.positive("retire-turn", retireTurn);
        LifecycleSettings life = new LifecycleSettings(lifetimeMin, lifetimeMax, (int) retireAtOnce, retireTurn,
                retireTurnWait, lameduck, drainTimeout, halt, words(haltCommand));
        c.that(drainTimeout.compareTo(limits.hardDeadline()) >= 0, "--drain-timeout (" + Values.format(drainTimeout)
                + ") must cover one hard deadline (build + run + margin = " + Values.format(limits.hardDeadline()) + ")");
        c.that(!life.lifetimeEnabled() || lifetimeMin.compareTo(lifetimeMax) <= 0, "--lifetime-min ("
                + Values.format(lifetimeMin) + ") must not exceed --lifetime-max (" + Values.format(lifetimeMax) + ")");
        ModuleSettings moduleSettings = modules.toSettings(c, buildTimeout);
        c.done();
        List<ReleaseImage> releases = images.isBlank() ? ReleaseImages.parse(go)
                : ReleaseImages.readLock(java.nio.file.Path.of(images.trim()));
        return new Config(
                new HttpSettings(bind, port, (int) maxRequest, bodyTimeout, allowOrigin),
                new SandboxSettings(releases, runtime, words(docker), containerPrefix,
                        new PoolSettings(pool == 0 ? 0 : poolMin, pool == 0 ? 0 : poolMinOther, pool, poolMaxIdle,
                                poolSurplusIdle), reapInterval),
                limits,
                new AdmissionSettings(workers == 0 ? Runtime.getRuntime().availableProcessors() : workers, queue,
                        maxQueueWait),
                new CacheSettings(cacheEntries, cacheBytes, shared, sharedCacheTtl, sharedCacheTimeout,
                        (int) sharedCacheMaxValue),
                life,
                moduleSettings);
    }

    private Optional<URI> sharedCache(Checks c) {
        if (sharedCache.isBlank()) {
            return Optional.empty();
        }
        try {
            URI u = new URI(sharedCache.trim());
            boolean ok = ("redis".equals(u.getScheme()) || "rediss".equals(u.getScheme())) && u.getHost() != null;
            c.that(ok, "--shared-cache must look like redis://HOST:PORT or rediss://HOST:PORT, not '" + sharedCache + "'");
            return ok ? Optional.of(u) : Optional.empty();
        } catch (java.net.URISyntaxException e) {
            c.that(false, "--shared-cache: " + e.getMessage());
            return Optional.empty();
        }
    }

    private static List<String> words(String s) {
        return List.of(s.trim().split("\\s+"));
    }

    /** Parses "5s", "30m", "1h30m", "250ms" or "0". */
    static final class Time implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            return Values.duration(value);
        }
    }

    /** Parses "65536", "64KiB", "512MiB". */
    static final class Size implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            return Values.bytes(value);
        }
    }
}
