package dev.compilerd.sandbox;

import java.util.Optional;

/**
 * Names a compilerd process on this host by pid and start time, so a container's owner label says whether the
 * server that started it is still alive: a recycled pid has another start time. Stateless.
 */
public final class Instance {
    private Instance() {}

    /** This process's id. */
    public static String current() {
        return of(ProcessHandle.current()).orElseThrow(() -> new IllegalStateException("no process start time"));
    }

    /** Whether the process an id names is still running (false for an id that is not ours to parse). */
    public static boolean alive(String id) {
        int dash = id.indexOf('-');
        if (dash <= 0) {
            return false;
        }
        try {
            long pid = Long.parseLong(id.substring(0, dash));
            return ProcessHandle.of(pid).flatMap(Instance::of).map(id::equals).orElse(false);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static Optional<String> of(ProcessHandle p) {
        return p.info().startInstant().map(t -> p.pid() + "-" + t.toEpochMilli());
    }
}
