package dev.compilerd.config;

import java.time.Duration;

/**
 * How many started containers wait for programs: between {@code min} and {@code max} (0 = no pool), as many as the
 * request rate needs, because every idle gVisor sandbox costs CPU.
 *
 * @param surplusIdle a container beyond what the rate needs is removed once no request came for this long
 * @param maxIdle     any waiting container older than this is replaced
 */
public record PoolSettings(int min, int max, Duration maxIdle, Duration surplusIdle) {}
