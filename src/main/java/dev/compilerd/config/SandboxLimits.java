package dev.compilerd.config;

import java.time.Duration;

/** The limits every sandboxed run gets; the hard deadline is derived so it always exceeds the soft ones. */
public record SandboxLimits(
        Duration buildTimeout,
        Duration runTimeout,
        Duration deadlineMargin,
        long memoryBytes,
        int pids,
        double cpus,
        long tmpfsBytes,
        int maxOutputBytes) {

    /** Build + run + margin: past this the container is removed with docker rm -f. */
    public Duration hardDeadline() {
        return buildTimeout.plus(runTimeout).plus(deadlineMargin);
    }

    public static SandboxLimits defaults() {
        return new SandboxLimits(Defaults.BUILD_TIMEOUT, Defaults.RUN_TIMEOUT, Defaults.DEADLINE_MARGIN,
                Defaults.MEMORY_BYTES, Defaults.PIDS, Defaults.CPUS, Defaults.TMPFS_BYTES, Defaults.MAX_OUTPUT_BYTES);
    }
}
