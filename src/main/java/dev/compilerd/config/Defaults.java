package dev.compilerd.config;

import java.time.Duration;

/** The default of every limit and timing in one place, so terraform and systemd checks can test against them. */
public final class Defaults {
    private Defaults() {}

    public static final int PORT = 8080;
    public static final String BIND = "0.0.0.0";
    public static final String RUNTIME = "runsc";
    /** The root-owned wrapper vm/startup.sh installs: the only docker commands the server may run as root. */
    public static final String DOCKER = "sudo -n /usr/local/libexec/compilerd-docker";
    public static final String CONTAINER_PREFIX = "compilerd";
    public static final String ALLOW_ORIGIN = "*";

    /** The runner's own caps (its contract.json; RunnerContractTest keeps the two equal): no flag may exceed them. */
    public static final long RUNNER_MAX_OUTPUT_BYTES = 1024 * 1024;
    public static final Duration RUNNER_MAX_TIMEOUT = Duration.ofSeconds(60);

    public static final int MAX_REQUEST_BYTES = 64 * 1024;
    public static final int MAX_OUTPUT_BYTES = 64 * 1024;
    /** The whole request body must arrive within this, so trickling clients cannot pin threads. */
    public static final Duration BODY_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration BUILD_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration RUN_TIMEOUT = Duration.ofSeconds(5);
    /**
     * The share of the run timeout a request's benchmarks divide among themselves: Go runs a benchmark for about
     * 1.2 times its -test.benchtime (at most about twice, and longer on a busy host, whose waits count as time),
     * so 0.3 leaves room for the program's start and a slow one.
     */
    public static final double BENCH_SHARE = 0.3;
    /** Above this share, a benchmark that runs for twice its benchtime would not fit the run timeout. */
    public static final double MAX_BENCH_SHARE = 0.45;
    /** Slack between the runner's soft deadlines and the server's hard one (docker rm -f). */
    public static final Duration DEADLINE_MARGIN = Duration.ofSeconds(2);
    public static final long MEMORY_BYTES = 512L * 1024 * 1024;
    /**
     * Host pids of the whole sandbox (docker --pids-limit): a backstop only. Under gVisor each sandboxed process
     * costs about one host pid (threads cost none with systrap), so this must exceed {@link #NPROC} by {@link
     * #PIDS_HEADROOM}, or a program's processes would kill the whole sandbox instead of meeting their own limit.
     */
    public static final int PIDS = 1024;
    /** The program's RLIMIT_NPROC: its processes and threads together; the limit a fork bomb meets first. */
    public static final int NPROC = 512;
    /** Host pids gVisor, the runner and the build tools need beyond the program's own processes. */
    public static final int PIDS_HEADROOM = 256;
    public static final double CPUS = 1.0;
    public static final long TMPFS_BYTES = 128L * 1024 * 1024;
    /** Open files per process in the sandbox (RLIMIT_NOFILE). */
    public static final int NOFILE = 1024;
    /**
     * The program's RLIMIT_AS: a memory hog fails in its own runtime ("out of memory", a 200 with its output)
     * before the container's memory cgroup kills the whole sandbox. Go needs about 600 MiB of address space
     * reserved to start, so this stays well above that.
     */
    public static final long ADDRESS_SPACE_BYTES = 1L << 30;

    public static final int QUEUE = 100;
    /** The longest a request may wait for a worker; one that cannot start within it gets a 503 at once. */
    public static final Duration MAX_QUEUE_WAIT = Duration.ofSeconds(10);
    public static final long CACHE_ENTRIES = 10_000;
    public static final long CACHE_BYTES = 256L * 1024 * 1024;
    /** How long a result lives in the shared cache tier. */
    public static final Duration SHARED_CACHE_TTL = Duration.ofDays(7);
    /**
     * A shared-cache lookup that takes longer than this counts as a miss (and an error for the breaker). A hit saves a
     * run of seconds; on a VM whose two cores are busy with sandboxes a loopback lookup took 10 ms at the median and
     * up to 200 ms (bench/fleet.sh), and at 50 ms the breaker kept the tier off just when it mattered.
     */
    public static final Duration SHARED_CACHE_TIMEOUT = Duration.ofMillis(250);
    /** Larger responses are not written to the shared tier, and larger values read from it are ignored. */
    public static final int SHARED_CACHE_MAX_VALUE_BYTES = 1 << 20;
    /** The most warm containers: enough that a stream of one request at a time never waits for a start. */
    public static final int POOL = 2;
    /** The fewest warm containers while the pool is on: a trickle of requests still skips the container start. */
    public static final int POOL_MIN = 1;
    /**
     * The fewest warm containers of each release but the default: a release nobody asks for keeps no idle sandbox
     * (about 0.01 cores each); one that gets a stream of requests keeps as many as the rate needs.
     */
    public static final int POOL_MIN_OTHER = 0;
    /**
     * A warm container the request rate no longer needs is removed after this long without a request: by then its idle
     * cost (about 0.01 cores) has reached what starting it again would cost (about 0.3 CPU-s).
     */
    public static final Duration POOL_SURPLUS_IDLE = Duration.ofSeconds(30);
    /** A warm container idle longer than this is replaced, so a pool never holds a long-lived sandbox. */
    public static final Duration POOL_MAX_IDLE = Duration.ofMinutes(5);

    /** The checksum database a proxy's modules are verified against (GOSUMDB); the go command knows its key. */
    public static final String MODULE_SUMDB = "sum.golang.org";
    /**
     * Bytes of module files one program may get. The go command keeps each zip in the sandbox's 128 MiB /tmp beside
     * its unpacked tree (about three times the zip), so 24 MiB of zips fill about 96 MiB and leave room for the build;
     * the Tour's and most READMEs' modules are a few hundred KiB.
     */
    public static final long MODULE_FETCH_BYTES = 24L << 20;
    /**
     * Proxy requests one program may make: each module costs two to four (list or info, go.mod, zip) and each
     * checksum lookup a few tiles, so 256 covers a few dozen modules and stops a program that walks the proxy.
     */
    public static final int MODULE_FETCH_FILES = 256;
    /**
     * The largest single file, fetched or served: a zip this size unpacks to most of the sandbox's /tmp. The server
     * holds a file in memory while it answers, so a few in flight stay well inside the 512 MiB heap.
     */
    public static final long MODULE_MAX_FILE_BYTES = 16L << 20;
    /**
     * The on-disk module cache: a VM lives an hour, and 512 MiB holds hundreds of typical modules. Every file weighs
     * at least one 4 KiB disk block, so even full of checksum lookups the index stays near 130,000 entries.
     */
    public static final long MODULE_CACHE_BYTES = 512L << 20;
    /** Where each server makes its own cache directory: on disk on Debian 12 and 13 (/tmp may be a tmpfs). */
    public static final String MODULE_CACHE_DIR = "/var/tmp";
    /**
     * How long version lists, @latest, branch queries, the checksum database's latest tree and not-found answers are
     * reused: a new release shows within 5 minutes, and a burst of programs importing one module costs one request.
     */
    public static final Duration MODULE_LIST_TTL = Duration.ofMinutes(5);
    /**
     * The longest one upstream fetch may take, body included: half the build timeout, so a stuck upstream is reported
     * in the go command's words (a 502 naming it) before the build's deadline turns it into "process took too long".
     */
    public static final Duration MODULE_TIMEOUT = Duration.ofSeconds(5);

    public static final Duration LIFETIME_MIN = Duration.ofMinutes(30);
    public static final Duration LIFETIME_MAX = Duration.ofMinutes(60);
    /** The load balancer's unhealthy-detection window (terraform: 5 s x 3) plus a 5 s margin. */
    public static final Duration LAMEDUCK = Duration.ofSeconds(20);
    /**
     * How long DRAINING waits for accepted work: one hard deadline for the runs in flight, plus the queue's
     * longest wait for those still queued when draining begins (they are admitted or turned away within it).
     */
    public static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(30);
    /** Servers of one fleet (one shared tier) that may be retiring at the same time. */
    public static final int RETIRE_AT_ONCE = 1;
    /**
     * How long one server's turn to retire lasts: its lameduck (20 s) and drain (up to 30 s), and most of its
     * replacement's boot to healthy (108 s median through the image registry, terraform/README.md).
     */
    public static final Duration RETIRE_TURN = Duration.ofSeconds(150);
    /** The longest a server waits for a turn past its lifetime; terraform's max_run_duration allows for it. */
    public static final Duration RETIRE_TURN_WAIT = Duration.ofMinutes(5);
    public static final Duration REAP_INTERVAL = Duration.ofMinutes(1);
    public static final String HALT_COMMAND = "sudo -n halt";
}
