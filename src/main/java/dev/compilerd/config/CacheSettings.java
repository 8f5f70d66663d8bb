package dev.compilerd.config;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/** The local result cache's bounds, and the optional shared tier (Valkey/Redis) behind it. */
public record CacheSettings(
        long entries,
        long bytes,
        Optional<URI> shared,
        Duration sharedTtl,
        Duration sharedTimeout,
        int sharedMaxValueBytes) {}
