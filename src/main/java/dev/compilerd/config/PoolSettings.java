package dev.compilerd.config;

import java.time.Duration;

/**
 * How many started containers wait for programs: between {@code min} and {@code max} (0 = no pool), as many as the
 * request rate needs, because every idle gVisor sandbox costs CPU.
 *
 * @param minOther    the minimum of each release but the default (the first)
 * @param surplusIdle a container beyond what the rate needs is removed once no request came for this long
 * @param maxIdle     any waiting container older than this is replaced
 */
public record PoolSettings(int min, int minOther, int max, Duration maxIdle, Duration surplusIdle) {

    /** The settings of one pool: the default release's own, or another's with its own minimum. */
    public PoolSettings forRelease(boolean isDefault) {
        return isDefault ? this : new PoolSettings(minOther, minOther, max, maxIdle, surplusIdle);
    }
}
