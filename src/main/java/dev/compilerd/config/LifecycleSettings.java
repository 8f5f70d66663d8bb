package dev.compilerd.config;

import java.time.Duration;
import java.util.List;

/**
 * The VM's random lifetime, the fleet's turns to retire (how many at once, how long each, the longest wait for one),
 * the lameduck and drain that end it, and how it halts.
 */
public record LifecycleSettings(
        Duration lifetimeMin,
        Duration lifetimeMax,
        int retireAtOnce,
        Duration retireTurn,
        Duration retireTurnWait,
        Duration lameduck,
        Duration drainTimeout,
        boolean halt,
        List<String> haltCommand) {

    public LifecycleSettings {
        haltCommand = List.copyOf(haltCommand);
    }

    /** Whether the random lifetime (and so the VM recycling) is on; --lifetime-max 0 turns it off. */
    public boolean lifetimeEnabled() {
        return !lifetimeMax.isZero();
    }
}
