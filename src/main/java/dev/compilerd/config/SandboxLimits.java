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
        int maxOutputBytes) {

    /** Build + run + margin: past this the container is removed with docker rm -f. */
    public Duration hardDeadline() {
        return buildTimeout.plus(runTimeout).plus(deadlineMargin);
    }

    public static SandboxLimits defaults() {
        return new SandboxLimits(Defaults.BUILD_TIMEOUT, Defaults.RUN_TIMEOUT, Defaults.DEADLINE_MARGIN,
                Defaults.MEMORY_BYTES, Defaults.PIDS, Defaults.NPROC, Defaults.CPUS, Defaults.TMPFS_BYTES,
                Defaults.NOFILE, Defaults.ADDRESS_SPACE_BYTES, Defaults.MAX_OUTPUT_BYTES);
    }
}
