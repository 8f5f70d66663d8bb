package dev.compilerd.config;

import java.time.Duration;

/** The default of every limit and timing in one place, so terraform and systemd checks can test against them. */
public final class Defaults {
    private Defaults() {}

    public static final int PORT = 8080;
    public static final String BIND = "0.0.0.0";
    public static final String IMAGE = "compilerd/playground:latest";
    public static final String RUNTIME = "runsc";
    public static final String DOCKER = "sudo -n docker";
    public static final String CONTAINER_PREFIX = "compilerd";
    public static final String ALLOW_ORIGIN = "*";

    public static final int MAX_REQUEST_BYTES = 64 * 1024;
    public static final int MAX_OUTPUT_BYTES = 64 * 1024;
    /** The whole request body must arrive within this, so trickling clients cannot pin threads. */
    public static final Duration BODY_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration BUILD_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration RUN_TIMEOUT = Duration.ofSeconds(5);
    /** Slack between the runner's soft deadlines and the server's hard one (docker rm -f). */
    public static final Duration DEADLINE_MARGIN = Duration.ofSeconds(2);
    public static final long MEMORY_BYTES = 512L * 1024 * 1024;
    public static final int PIDS = 128;
    public static final double CPUS = 1.0;
    public static final long TMPFS_BYTES = 128L * 1024 * 1024;

    public static final int QUEUE = 100;
    /** The longest a request waits in the queue before a 503: a playground user has given up by then. */
    public static final Duration QUEUE_TIMEOUT = Duration.ofSeconds(30);
    public static final long CACHE_ENTRIES = 10_000;
    public static final long CACHE_BYTES = 256L * 1024 * 1024;
    public static final int POOL = 2;
    /** A warm container idle longer than this is recycled, so none outlives a rebuilt image by much. */
    public static final Duration POOL_MAX_IDLE = Duration.ofMinutes(5);

    public static final Duration LIFETIME_MIN = Duration.ofMinutes(30);
    public static final Duration LIFETIME_MAX = Duration.ofMinutes(60);
    /** The load balancer's unhealthy-detection window (terraform: 5 s x 3) plus a 5 s margin. */
    public static final Duration LAMEDUCK = Duration.ofSeconds(20);
    /** How long DRAINING waits for accepted work: at least one hard run deadline. */
    public static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(20);
    public static final Duration REAP_INTERVAL = Duration.ofMinutes(1);
    public static final String HALT_COMMAND = "sudo -n halt";

    /** The hard deadline of one run: build + run + margin, after which the container is removed. */
    public static Duration hardDeadline() {
        return BUILD_TIMEOUT.plus(RUN_TIMEOUT).plus(DEADLINE_MARGIN);
    }
}
