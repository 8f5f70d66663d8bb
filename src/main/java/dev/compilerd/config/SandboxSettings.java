package dev.compilerd.config;

import java.time.Duration;
import java.util.List;

/** Which sandbox runs programs and how its containers are started, pooled and reaped. */
public record SandboxSettings(
        String image,
        String runtime,
        List<String> docker,
        String containerPrefix,
        PoolSettings pool,
        Duration reapInterval) {

    public SandboxSettings {
        docker = List.copyOf(docker);
    }
}
