package dev.compilerd.lifecycle;

import java.time.Duration;

/** Runs a task after a delay; production uses a thread, tests a manual clock so they need no sleeps. */
@FunctionalInterface
public interface Scheduler {
    void schedule(Duration delay, Runnable task);
}
