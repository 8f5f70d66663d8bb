package dev.compilerd.lifecycle;

/** The life of one compilerd process, in the only order it may go. */
public enum State {
    STARTING, SERVING, LAMEDUCK, DRAINING, HALTED
}
