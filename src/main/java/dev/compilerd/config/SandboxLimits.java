package dev.compilerd.config;

import java.time.Duration;

/**
 * The limits every sandboxed run gets; the hard deadline is derived so it always exceeds the soft ones.
 * Built from the flags by {@code Flags.toConfig} (a test checks every flag lands in its own field) or by
 * {@link #defaults()}.
 */
public record SandboxLimits(
        Duration buildTimeout,
        Duration runTimeout,
        Duration deadlineMargin,
        long memoryBytes,
        int pids,
        int nproc,
        double cpus,
        long tmpfsBytes,
        int nofile,
        long addressSpaceBytes,
        int maxOutputBytes,
        double benchShare) {

    /** Limits with the default share of the run timeout for benchmarks. */
    public SandboxLimits(Duration buildTimeout, Duration runTimeout, Duration deadlineMargin, long memoryBytes, int pids,
                         int nproc, double cpus, long tmpfsBytes, int nofile, long addressSpaceBytes,
                         int maxOutputBytes) {
        this(buildTimeout, runTimeout, deadlineMargin, memoryBytes, pids, nproc, cpus, tmpfsBytes, nofile,
                addressSpaceBytes, maxOutputBytes, Defaults.BENCH_SHARE);
    }

    /**
     * The run time a request's benchmarks share: the runner gives each of the N it runs -test.benchtime =
     * min(1s, this / N), and Go's loop runs a benchmark for about 1.2 times that, at most about twice.
     */
    public Duration benchBudget() {
        return Duration.ofMillis((long) (runTimeout.toMillis() * benchShare));
    }

    /** Build + run + margin: past this the container is removed with docker rm -f. */
    public Duration hardDeadline() {
        return buildTimeout.plus(runTimeout).plus(deadlineMargin);
    }

    public static SandboxLimits defaults() {
        return new SandboxLimits(Defaults.BUILD_TIMEOUT, Defaults.RUN_TIMEOUT, Defaults.DEADLINE_MARGIN,
                Defaults.MEMORY_BYTES, Defaults.PIDS, Defaults.NPROC, Defaults.CPUS, Defaults.TMPFS_BYTES,
                Defaults.NOFILE, Defaults.ADDRESS_SPACE_BYTES, Defaults.MAX_OUTPUT_BYTES, Defaults.BENCH_SHARE);
    }
}
