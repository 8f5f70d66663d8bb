package dev.compilerd.sandbox;

/** Hands out started, ready containers: fresh ones, or from a warm pool. */
interface ContainerSource extends AutoCloseable {
    /** A ready container that has run nothing yet; the caller owns it from here. */
    Container acquire() throws SandboxException, InterruptedException;

    @Override
    void close();

    /** Ready containers waiting now (a pool's size; 0 without one). */
    default int idle() {
        return 0;
    }

    /** Ready containers wanted now (a pool's size for the current request rate; 0 without one). */
    default int target() {
        return 0;
    }

    /** Acquisitions served by an already started container. */
    default long hits() {
        return 0;
    }

    /** Acquisitions that had to start a container. */
    default long misses() {
        return 0;
    }

    /** Started containers removed without running anything. */
    default long discarded() {
        return 0;
    }
}
