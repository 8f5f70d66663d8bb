package dev.compilerd.config;

import java.time.Duration;
import java.util.List;

/** Which sandboxes run programs (one image per Go release, the default first) and how containers are started, pooled and reaped. */
public record SandboxSettings(
        List<ReleaseImage> releases,
        String runtime,
        List<String> docker,
        String containerPrefix,
        PoolSettings pool,
        Duration reapInterval) {

    public SandboxSettings {
        docker = List.copyOf(docker);
        releases = List.copyOf(releases);
    }
}
