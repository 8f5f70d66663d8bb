package dev.compilerd;

import sun.misc.Signal;

/** SIGTERM starts the drain instead of the JVM's immediate shutdown, so in-flight runs finish and we exit 0. */
final class Signals {
    private Signals() {}

    static void onTerm(Runnable action) {
        Signal.handle(new Signal("TERM"), s -> new Thread(action, "sigterm").start());
    }
}
