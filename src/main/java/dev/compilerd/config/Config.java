package dev.compilerd.config;

import java.time.Duration;
import java.util.List;

/** The whole validated configuration of one compilerd process; built once by {@link ConfigParser}. */
public record Config(
        String bind,
        int port,
        String image,
        String runtime,
        List<String> docker,
        String containerPrefix,
        SandboxLimits limits,
        int maxRequestBytes,
        Duration bodyTimeout,
        int workers,
        int queue,
        Duration queueTimeout,
        long cacheEntries,
        long cacheBytes,
        int pool,
        Duration poolMaxIdle,
        Duration lifetimeMin,
        Duration lifetimeMax,
        Duration lameduck,
        Duration drainTimeout,
        Duration reapInterval,
        boolean halt,
        List<String> haltCommand,
        String allowOrigin) {

    public Config {
        docker = List.copyOf(docker);
        haltCommand = List.copyOf(haltCommand);
    }

    /** The label every container of ours carries, so the reaper never touches anyone else's. */
    public String ownerLabel() {
        return "dev.compilerd.owner=" + containerPrefix;
    }

    /** Whether the random lifetime (and so the VM recycling) is on; --lifetime-max 0 turns it off. */
    public boolean lifetimeEnabled() {
        return !lifetimeMax.isZero();
    }
}
