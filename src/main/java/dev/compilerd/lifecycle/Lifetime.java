package dev.compilerd.lifecycle;

import java.time.Duration;
import java.util.random.RandomGenerator;

/** Picks this VM's lifetime uniformly in [min, max], so a fleet's VMs do not all recycle at once. */
public final class Lifetime {
    private Lifetime() {}

    public static Duration pick(Duration min, Duration max, RandomGenerator random) {
        long span = max.toMillis() - min.toMillis();
        if (span < 0) {
            throw new IllegalArgumentException("min " + min + " exceeds max " + max);
        }
        return min.plusMillis(span == 0 ? 0 : random.nextLong(span + 1));
    }
}
